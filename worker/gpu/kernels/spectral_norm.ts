/**
 * Spectral normalisation: one power-iteration step on the persisted vectors `u`, `v`, and the
 * gradient of `W / σ` back to `W`.
 *
 * The power step is a chain of dependent matrix-vector products and norms, so one workgroup
 * runs all of it in a single dispatch (storage barriers order the phases).
 */
import { kernel, read, readWrite } from "../kernel.ts";
import type { Tensor } from "../tensor.ts";
import {
  fmt,
  LINEAR_MAIN,
  linearGrid,
  requireSameShape,
  requireUnaliased,
  workgroupTotalWgsl,
} from "./_common.ts";
import { reduceMapped } from "./reduce.ts";

const WG = 256;
const EPS = 1e-12;

function checkVectors(op: string, w: Tensor, u: Tensor, v: Tensor): [number, number] {
  const [rows, cols] = w.shape;
  if (w.shape.length !== 2 || u.size !== rows || v.size !== cols || w.size === 0) {
    throw new RangeError(
      `Cannot ${op}: w ${fmt(w.shape)} must be [rows, cols] with u ${fmt(u.shape)} of rows ` +
        `and v ${fmt(v.shape)} of cols`,
    );
  }
  return [rows, cols];
}

const POWER_ITERATION = kernel({
  name: "power_iteration",
  bindings: { w: read(), u: readWrite(), v: readWrite(), sigma: readWrite() },
  uniforms: { rows: "u32", cols: "u32", eps: "f32" },
  key: () => `wg${WG}`,
  body: () =>
    `${workgroupTotalWgsl(WG)}
@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_index) lid: u32) {
  var ss = 0.0;
  for (var j = lid; j < p.cols; j += ${WG}u) {
    var acc = 0.0;
    for (var i = 0u; i < p.rows; i++) { acc += w[i * p.cols + j] * u[i]; }
    v[j] = acc;
    ss += acc * acc;
  }
  let vinv = 1.0 / max(sqrt(total(ss, lid)), p.eps);
  for (var j = lid; j < p.cols; j += ${WG}u) { v[j] *= vinv; }
  storageBarrier();
  workgroupBarrier();
  ss = 0.0;
  for (var i = lid; i < p.rows; i += ${WG}u) {
    var acc = 0.0;
    let base = i * p.cols;
    for (var j = 0u; j < p.cols; j++) { acc += w[base + j] * v[j]; }
    u[i] = acc;
    ss += acc * acc;
  }
  let norm = sqrt(total(ss, lid));
  let uinv = 1.0 / max(norm, p.eps);
  for (var i = lid; i < p.rows; i += ${WG}u) { u[i] *= uinv; }
  if (lid == 0u) { sigma[0] = norm * norm * uinv; }
}`,
});

/**
 * One power-iteration step for `w [rows, cols]`: `v = normalize(wᵀu)`, `u = normalize(w v)`,
 * updating `u [rows]` and `v [cols]` in place; returns `σ = uᵀ w v` as `[1]`.
 */
export function powerIteration(w: Tensor, u: Tensor, v: Tensor): Tensor {
  const [rows, cols] = checkVectors("run a power iteration", w, u, v);
  requireUnaliased("run a power iteration", [u, v], [w, u, v]);
  const sigma = w.gpu.empty([1]);
  POWER_ITERATION.run(w.gpu, {
    buffers: { w, u, v, sigma },
    uniforms: { rows, cols, eps: EPS },
    workgroups: [1],
  });
  return sigma;
}

const SPECTRAL_NORM_GRAD = kernel({
  name: "spectral_norm_grad",
  bindings: {
    dwsn: read(),
    u: read(),
    v: read(),
    sigma: read(),
    dot: read(),
    dst: readWrite(),
  },
  uniforms: { n: "u32", cols: "u32" },
  key: () => "s",
  body: () => `
${LINEAR_MAIN}
  if (gi >= p.n) { return; }
  let inv = 1.0 / sigma[0];
  let coef = dot[0] * inv;
  dst[gi] = (dwsn[gi] - coef * u[gi / p.cols] * v[gi % p.cols]) * inv;
}`,
});

/**
 * Gradient through `Wsn = w / σ` with `u`, `v` held constant:
 * `dW = (dWsn - ⟨dWsn, Wsn⟩ u vᵀ) / σ`. Two dispatches (the inner product, then the update).
 */
export function spectralNormGrad(
  w: Tensor,
  u: Tensor,
  v: Tensor,
  sigma: Tensor,
  dWsn: Tensor,
): Tensor {
  const [rows, cols] = checkVectors("compute the spectral norm gradient", w, u, v);
  requireSameShape("compute the spectral norm gradient", w, dWsn);
  if (sigma.size !== 1) {
    throw new RangeError(
      `Cannot compute the spectral norm gradient: sigma ${fmt(sigma.shape)} must hold one value`,
    );
  }
  const dot = reduceMapped({ inputs: [dWsn, w], expr: "$0 * $1" }, null);
  const out = w.gpu.empty(w.shape);
  const n = rows * cols;
  SPECTRAL_NORM_GRAD.run(w.gpu, {
    buffers: { dwsn: dWsn, u, v, sigma, dot, dst: out },
    uniforms: { n, cols },
    workgroups: linearGrid(n),
  });
  dot.dispose();
  return out;
}
