/**
 * Row-wise L2 normalisation (projection onto the unit sphere) and its gradient.
 *
 * One invocation per row walks the row (rows are short feature vectors here); `eps` guards
 * the division, so `y = x / max(‖x‖, eps)`.
 */
import { params } from "../params.ts";
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

/** Scales every row (last axis) of `x` to unit L2 norm: `x / max(‖x‖, eps)`. */
export function l2Normalize(x: Tensor, eps = L2_NORMALIZE_EPS): Tensor {
  const { rows, dim } = rowsOf("l2-normalize", x);
  const out = x.gpu.empty(x.shape);
  if (rows === 0) return out;
  x.gpu.run({
    name: "l2_normalize",
    key: "rows",
    source: () => `
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
struct P { rows: u32, dim: u32, eps: f32 }
@group(0) @binding(2) var<uniform> p: P;
${LINEAR_MAIN}
  if (gi >= p.rows) { return; }
  let base = gi * p.dim;
  var ss = 0.0;
  for (var k = 0u; k < p.dim; k++) { let v = src[base + k]; ss += v * v; }
  let inv = 1.0 / max(sqrt(ss), p.eps);
  for (var k = 0u; k < p.dim; k++) { dst[base + k] = src[base + k] * inv; }
}`,
    buffers: [x, out],
    params: params().u32(rows).u32(dim).f32(eps).build(),
    workgroups: linearGrid(rows),
  });
  return out;
}

/**
 * Gradient of {@link l2Normalize} given its input `x`, output `y` and `dy` (same `eps`):
 * `(dy - y·⟨y, dy⟩) / ‖x‖` where the norm exceeds `eps`, else `dy / eps`.
 */
export function l2NormalizeGrad(x: Tensor, y: Tensor, dy: Tensor, eps = L2_NORMALIZE_EPS): Tensor {
  requireSameShape("compute l2-normalize gradient", x, y, dy);
  const { rows, dim } = rowsOf("compute l2-normalize gradient of", x);
  const out = x.gpu.empty(x.shape);
  if (rows === 0) return out;
  x.gpu.run({
    name: "l2_normalize_grad",
    key: "rows",
    source: () => `
@group(0) @binding(0) var<storage, read> xs: array<f32>;
@group(0) @binding(1) var<storage, read> ys: array<f32>;
@group(0) @binding(2) var<storage, read> dys: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;
struct P { rows: u32, dim: u32, eps: f32 }
@group(0) @binding(4) var<uniform> p: P;
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
    buffers: [x, y, dy, out],
    params: params().u32(rows).u32(dim).f32(eps).build(),
    workgroups: linearGrid(rows),
  });
  return out;
}
