/**
 * Row-wise L2 normalisation (projection onto the unit sphere) and its gradient.
 *
 * One invocation per row walks the row (rows are short feature vectors here); `eps` guards
 * the division, so `y = x / max(‖x‖, eps)`.
 */
import { kernel, read, readWrite } from "../kernel.ts";
import type { Tensor } from "../tensor.ts";
import { fmt, LINEAR_MAIN, linearGrid, requireSameShape } from "./_common.ts";

/** Default guard of {@link l2Normalize}. */
export const L2_NORMALIZE_EPS = 1e-12;

function rowsOf(op: string, x: Tensor): { rows: number; dim: number } {
  const dim = x.shape.at(-1) ?? 0;
  if (x.shape.length < 1 || dim === 0) {
    throw new RangeError(`Cannot ${op} ${fmt(x.shape)}: need a non-empty last axis`);
  }
  return { rows: x.size / dim, dim };
}

const L2_NORMALIZE = kernel({
  name: "l2_normalize",
  bindings: { src: read(), dst: readWrite() },
  uniforms: { rows: "u32", dim: "u32", eps: "f32" },
  key: () => "rows",
  body: () => `
${LINEAR_MAIN}
  if (gi >= p.rows) { return; }
  let base = gi * p.dim;
  var ss = 0.0;
  for (var k = 0u; k < p.dim; k++) { let v = src[base + k]; ss += v * v; }
  let inv = 1.0 / max(sqrt(ss), p.eps);
  for (var k = 0u; k < p.dim; k++) { dst[base + k] = src[base + k] * inv; }
}`,
});

/** Scales every row (last axis) of `x` to unit L2 norm: `x / max(‖x‖, eps)`. */
export function l2Normalize(x: Tensor, eps = L2_NORMALIZE_EPS): Tensor {
  const { rows, dim } = rowsOf("l2-normalize", x);
  const out = x.gpu.empty(x.shape);
  if (rows === 0) return out;
  L2_NORMALIZE.run(x.gpu, {
    buffers: { src: x, dst: out },
    uniforms: { rows, dim, eps },
    workgroups: linearGrid(rows),
  });
  return out;
}

const L2_NORMALIZE_GRAD = kernel({
  name: "l2_normalize_grad",
  bindings: { xs: read(), ys: read(), dys: read(), dst: readWrite() },
  uniforms: { rows: "u32", dim: "u32", eps: "f32" },
  key: () => "rows",
  body: () => `
${LINEAR_MAIN}
  if (gi >= p.rows) { return; }
  let base = gi * p.dim;
  var ss = 0.0;
  var yd = 0.0;
  for (var k = 0u; k < p.dim; k++) {
    let v = xs[base + k];
    ss += v * v;
    yd += ys[base + k] * dys[base + k];
  }
  let norm = sqrt(ss);
  if (norm > p.eps) {
    for (var k = 0u; k < p.dim; k++) { dst[base + k] = (dys[base + k] - ys[base + k] * yd) / norm; }
  } else {
    for (var k = 0u; k < p.dim; k++) { dst[base + k] = dys[base + k] / p.eps; }
  }
}`,
});

/**
 * Gradient of {@link l2Normalize} given its input `x`, output `y` and `dy` (same `eps`):
 * `(dy - y·⟨y, dy⟩) / ‖x‖` where the norm exceeds `eps`, else `dy / eps`.
 */
export function l2NormalizeGrad(x: Tensor, y: Tensor, dy: Tensor, eps = L2_NORMALIZE_EPS): Tensor {
  requireSameShape("compute l2-normalize gradient", x, y, dy);
  const { rows, dim } = rowsOf("compute l2-normalize gradient of", x);
  const out = x.gpu.empty(x.shape);
  if (rows === 0) return out;
  L2_NORMALIZE_GRAD.run(x.gpu, {
    buffers: { xs: x, ys: y, dys: dy, dst: out },
    uniforms: { rows, dim, eps },
    workgroups: linearGrid(rows),
  });
  return out;
}
