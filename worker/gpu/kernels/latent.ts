/**
 * Fused kernels of cGML's latent updates (one invocation per row; d is small), so that a
 * training step stays a handful of dispatches:
 * - {@link latentStep}: z_{t+1} = normalize(z_t − β g) and the Z target (z_{t+1}, α‖z_{t+1} − z_t‖);
 * - {@link latentMove}: Eq. 4, z_{t+1} = normalize(z_t + ρ (r − z_t)/‖r − z_t‖), or r without ρ;
 * - {@link accumulate}: adds a minibatch mean into a slot of a running-sum tensor (loss read-back);
 * - {@link gatherRows} / {@link scatterRows}: a minibatch's persistent latents in and out.
 * CPU references (float64): `latent_ref.ts`.
 * @module
 */
import type { Gpu } from "../device.ts";
import { kernel, read, readWrite } from "../kernel.ts";
import { ceilDiv, grid1d } from "../params.ts";
import type { Tensor } from "../tensor.ts";

const WG = 64;
const EPS = 1e-12;

const HEADER = `@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = (wid.x + wid.y * nwg.x) * ${WG}u + lid;`;

function rowsOf(op: string, z: Tensor): [number, number] {
  if (z.rank !== 2) throw new RangeError(`Cannot ${op}: z must be [B, d], got [${z.shape}]`);
  return [z.shape[0], z.shape[1]];
}

/** Result of {@link latentStep}: both tensors are new and owned by the caller. */
export interface LatentStepResult {
  /** z_{t+1} [B, d], on the unit sphere. */
  next: Tensor;
  /** The Z target (z_{t+1}, ρ) [B, d + 1] with ρ = α‖z_{t+1} − z_t‖. */
  target: Tensor;
}

const STEP = kernel({
  name: "cgml_latent_step",
  bindings: { z: read(), g: read(), next: readWrite(), tgt: readWrite() },
  uniforms: { rows: "u32", d: "u32", beta: "f32", alpha: "f32" },
  key: () => "v1",
  body: () =>
    `${HEADER}
  if (row >= p.rows) { return; }
  let d = p.d;
  var n2 = 0.0;
  for (var j = 0u; j < d; j++) {
    let v = z[row * d + j] - p.beta * g[row * d + j];
    n2 += v * v;
  }
  let inv = 1.0 / max(sqrt(n2), ${EPS});
  var m2 = 0.0;
  for (var j = 0u; j < d; j++) {
    let v = (z[row * d + j] - p.beta * g[row * d + j]) * inv;
    next[row * d + j] = v;
    tgt[row * (d + 1u) + j] = v;
    let e = v - z[row * d + j];
    m2 += e * e;
  }
  tgt[row * (d + 1u) + d] = p.alpha * sqrt(m2);
}`,
});

/** One latent gradient step with re-projection onto the sphere, and the Z target. */
export function latentStep(
  gpu: Gpu,
  z: Tensor,
  grad: Tensor,
  beta: number,
  alpha: number,
): LatentStepResult {
  const [rows, d] = rowsOf("take a latent step", z);
  if (grad.rank !== 2 || grad.shape[0] !== rows || grad.shape[1] !== d) {
    throw new RangeError(
      `Cannot take a latent step: gradient [${grad.shape}] must match z [${z.shape}]`,
    );
  }
  const next = gpu.empty([rows, d]);
  const target = gpu.empty([rows, d + 1]);
  STEP.run(gpu, {
    buffers: { z, g: grad, next, tgt: target },
    uniforms: { rows, d, beta, alpha },
    workgroups: grid1d(ceilDiv(rows, WG)),
  });
  return { next, target };
}

const MOVE = kernel({
  name: "cgml_latent_move",
  bindings: { z: read(), out: read(), next: readWrite() },
  uniforms: { rows: "u32", d: "u32", momentum: "u32" },
  key: () => "v1",
  body: () =>
    `${HEADER}
  if (row >= p.rows) { return; }
  let d = p.d;
  let o = row * (d + 1u);
  if (p.momentum == 0u) {
    var r2 = 0.0;
    for (var j = 0u; j < d; j++) { r2 += out[o + j] * out[o + j]; }
    let rinv = 1.0 / max(sqrt(r2), ${EPS});
    for (var j = 0u; j < d; j++) { next[row * d + j] = out[o + j] * rinv; }
    return;
  }
  let rho = out[o + d];
  var n2 = 0.0;
  for (var j = 0u; j < d; j++) {
    let e = out[o + j] - z[row * d + j];
    n2 += e * e;
  }
  let step = rho / max(sqrt(n2), ${EPS});
  var m2 = 0.0;
  for (var j = 0u; j < d; j++) {
    let v = z[row * d + j] + step * (out[o + j] - z[row * d + j]);
    m2 += v * v;
  }
  let inv = 1.0 / max(sqrt(m2), ${EPS});
  for (var j = 0u; j < d; j++) {
    next[row * d + j] = (z[row * d + j] + step * (out[o + j] - z[row * d + j])) * inv;
  }
}`,
});

/**
 * One inference move of Eq. 4 from Z's output `out` = (r, ρ) [B, d + 1]: with momentum
 * z_{t+1} = normalize(z_t + ρ (r − z_t)/‖r − z_t‖); without ("w/o ρ"), z_{t+1} = normalize(r):
 * every latent lives on the sphere G was trained on, and Z only estimates the next point on it.
 * Returns a new tensor.
 */
export function latentMove(gpu: Gpu, z: Tensor, out: Tensor, momentum: boolean): Tensor {
  const [rows, d] = rowsOf("move latents", z);
  if (out.rank !== 2 || out.shape[0] !== rows || out.shape[1] !== d + 1) {
    throw new RangeError(
      `Cannot move latents: Z output [${out.shape}] must be [${rows}, ${d + 1}]`,
    );
  }
  const next = gpu.empty([rows, d]);
  MOVE.run(gpu, {
    buffers: { z, out, next },
    uniforms: { rows, d, momentum: momentum ? 1 : 0 },
    workgroups: grid1d(ceilDiv(rows, WG)),
  });
  return next;
}

const ACCUMULATE = kernel({
  name: "cgml_accumulate",
  bindings: { acc: readWrite(), x: read() },
  uniforms: { slot: "u32", rows: "u32", cols: "u32", column: "u32" },
  key: () => "v2",
  body: () =>
    `@compute @workgroup_size(1)
fn main() {
  var s = 0.0;
  for (var i = 0u; i < p.rows; i++) { s += x[i * p.cols + p.column]; }
  acc[p.slot] = acc[p.slot] + s / f32(p.rows);
}`,
});

/**
 * acc[slot] += mean over rows of column `column` of `x` (rank 1 is one column, rank 2 is
 * [rows, cols]), in place. One invocation: meant for loss terms of a minibatch.
 */
export function accumulate(gpu: Gpu, acc: Tensor, slot: number, x: Tensor, column = 0): void {
  const rows = x.shape[0] ?? 1;
  const cols = x.rank === 2 ? x.shape[1] : 1;
  if (
    !Number.isInteger(slot) || slot < 0 || slot >= acc.size || x.rank > 2 || x.size === 0 ||
    !Number.isInteger(column) || column < 0 || column >= cols
  ) {
    throw new RangeError(
      `Cannot accumulate column ${column} of [${x.shape}] into slot ${slot} of [${acc.shape}]`,
    );
  }
  ACCUMULATE.run(gpu, {
    buffers: { acc, x },
    uniforms: { slot, rows, cols, column },
    workgroups: [1],
  });
}

const GATHER = kernel({
  name: "cgml_gather_rows",
  bindings: { table: readWrite(), idx: read(), batch: readWrite() },
  uniforms: { rows: "u32", d: "u32", total: "u32", scatter: "u32" },
  key: () => "v1",
  body: () =>
    `${HEADER}
  if (row >= p.rows) { return; }
  let at = u32(idx[row]);
  if (at >= p.total) { return; }
  for (var j = 0u; j < p.d; j++) {
    if (p.scatter == 1u) { table[at * p.d + j] = batch[row * p.d + j]; }
    else { batch[row * p.d + j] = table[at * p.d + j]; }
  }
}`,
});

function gatherScatter(gpu: Gpu, table: Tensor, idx: Tensor, batch: Tensor, scatter: boolean) {
  const [total, d] = rowsOf("gather or scatter rows", table);
  if (idx.rank !== 1 || batch.rank !== 2 || batch.shape[0] !== idx.size || batch.shape[1] !== d) {
    throw new RangeError(
      `Cannot gather or scatter rows: table [${table.shape}], indices [${idx.shape}] and rows [${batch.shape}] do not fit`,
    );
  }
  GATHER.run(gpu, {
    buffers: { table, idx, batch },
    uniforms: { rows: idx.size, d, total, scatter: scatter ? 1 : 0 },
    workgroups: grid1d(ceilDiv(idx.size, WG)),
  });
}

/** Rows `idx` (integers stored as f32) of `table` [J, d] as a new [B, d] tensor. */
export function gatherRows(gpu: Gpu, table: Tensor, idx: Tensor): Tensor {
  const out = gpu.empty([idx.size, table.shape[1] ?? 0]);
  gatherScatter(gpu, table, idx, out, false);
  return out;
}

/** Writes `rows` [B, d] into rows `idx` of `table` [J, d], in place (indices distinct). */
export function scatterRows(gpu: Gpu, table: Tensor, idx: Tensor, rows: Tensor): void {
  gatherScatter(gpu, table, idx, rows, true);
}
