/**
 * Fused kernels of the latent updates (one invocation per row; d is small), so that a
 * training step stays a handful of dispatches:
 * - {@link latentStep}: z_{t+1} = normalize(z_t − β g) and the Z target (z_{t+1}, α‖z_{t+1} − z_t‖);
 * - {@link latentMove}: Eq. 4, z_{t+1} = normalize(z_t + ρ (r − z_t)/‖r − z_t‖), or r without ρ;
 * - {@link accumulate}: adds a minibatch mean into a slot of a running-sum tensor (loss read-back);
 * - {@link gatherRows} / {@link scatterRows}: a minibatch's persistent latents in and out.
 * CPU references (float64) are exported beside them.
 * @module
 */
import { ceilDiv, type Gpu, grid1d, params, type Tensor } from "../gpu/mod.ts";

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

const STEP_WGSL = `
struct P { rows: u32, d: u32, beta: f32, alpha: f32 }
@group(0) @binding(0) var<storage, read> z: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> next: array<f32>;
@group(0) @binding(3) var<storage, read_write> tgt: array<f32>;
@group(0) @binding(4) var<uniform> p: P;
${HEADER}
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
}`;

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
  gpu.run({
    name: "cgml_latent_step",
    key: "v1",
    source: () => STEP_WGSL,
    buffers: [z, grad, next, target],
    params: params().u32(rows).u32(d).f32(beta).f32(alpha).build(),
    workgroups: grid1d(ceilDiv(rows, WG)),
  });
  return { next, target };
}

const MOVE_WGSL = `
struct P { rows: u32, d: u32, momentum: u32, _pad: u32 }
@group(0) @binding(0) var<storage, read> z: array<f32>;
@group(0) @binding(1) var<storage, read> out: array<f32>;
@group(0) @binding(2) var<storage, read_write> next: array<f32>;
@group(0) @binding(3) var<uniform> p: P;
${HEADER}
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
}`;

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
  gpu.run({
    name: "cgml_latent_move",
    key: "v1",
    source: () => MOVE_WGSL,
    buffers: [z, out, next],
    params: params().u32(rows).u32(d).u32(momentum ? 1 : 0).u32(0).build(),
    workgroups: grid1d(ceilDiv(rows, WG)),
  });
  return next;
}

const ACC_WGSL = `
struct P { slot: u32, rows: u32, cols: u32, column: u32 }
@group(0) @binding(0) var<storage, read_write> acc: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<uniform> p: P;
@compute @workgroup_size(1)
fn main() {
  var s = 0.0;
  for (var i = 0u; i < p.rows; i++) { s += x[i * p.cols + p.column]; }
  acc[p.slot] = acc[p.slot] + s / f32(p.rows);
}`;

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
  gpu.run({
    name: "cgml_accumulate",
    key: "v2",
    source: () => ACC_WGSL,
    buffers: [acc, x],
    params: params().u32(slot).u32(rows).u32(cols).u32(column).build(),
    workgroups: [1],
  });
}

const GATHER_WGSL = `
struct P { rows: u32, d: u32, total: u32, scatter: u32 }
@group(0) @binding(0) var<storage, read_write> table: array<f32>;
@group(0) @binding(1) var<storage, read> idx: array<f32>;
@group(0) @binding(2) var<storage, read_write> batch: array<f32>;
@group(0) @binding(3) var<uniform> p: P;
${HEADER}
  if (row >= p.rows) { return; }
  let at = u32(idx[row]);
  if (at >= p.total) { return; }
  for (var j = 0u; j < p.d; j++) {
    if (p.scatter == 1u) { table[at * p.d + j] = batch[row * p.d + j]; }
    else { batch[row * p.d + j] = table[at * p.d + j]; }
  }
}`;

function gatherScatter(gpu: Gpu, table: Tensor, idx: Tensor, batch: Tensor, scatter: boolean) {
  const [total, d] = rowsOf("gather or scatter rows", table);
  if (idx.rank !== 1 || batch.rank !== 2 || batch.shape[0] !== idx.size || batch.shape[1] !== d) {
    throw new RangeError(
      `Cannot gather or scatter rows: table [${table.shape}], indices [${idx.shape}] and rows [${batch.shape}] do not fit`,
    );
  }
  gpu.run({
    name: "cgml_gather_rows",
    key: "v1",
    source: () => GATHER_WGSL,
    buffers: [table, idx, batch],
    params: params().u32(idx.size).u32(d).u32(total).u32(scatter ? 1 : 0).build(),
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

function normalizeRow(v: number[]): number[] {
  const n = Math.max(Math.hypot(...v), EPS);
  return v.map((x) => x / n);
}

/** CPU reference of {@link latentStep} on row-major [rows, d] arrays. */
export function latentStepRef(
  z: ArrayLike<number>,
  grad: ArrayLike<number>,
  rows: number,
  d: number,
  beta: number,
  alpha: number,
): { next: Float64Array; target: Float64Array } {
  const next = new Float64Array(rows * d);
  const target = new Float64Array(rows * (d + 1));
  for (let i = 0; i < rows; i++) {
    const zi = Array.from({ length: d }, (_, j) => z[i * d + j]);
    const v = normalizeRow(zi.map((x, j) => x - beta * grad[i * d + j]));
    next.set(v, i * d);
    target.set(v, i * (d + 1));
    target[i * (d + 1) + d] = alpha * Math.hypot(...v.map((x, j) => x - zi[j]));
  }
  return { next, target };
}

/** CPU reference of {@link latentMove}. */
export function latentMoveRef(
  z: ArrayLike<number>,
  out: ArrayLike<number>,
  rows: number,
  d: number,
  momentum: boolean,
): Float64Array {
  const next = new Float64Array(rows * d);
  for (let i = 0; i < rows; i++) {
    const zi = Array.from({ length: d }, (_, j) => z[i * d + j]);
    const r = Array.from({ length: d }, (_, j) => out[i * (d + 1) + j]);
    if (!momentum) {
      next.set(normalizeRow(r), i * d);
      continue;
    }
    const rho = out[i * (d + 1) + d];
    const step = rho / Math.max(Math.hypot(...r.map((x, j) => x - zi[j])), EPS);
    next.set(normalizeRow(zi.map((x, j) => x + step * (r[j] - x))), i * d);
  }
  return next;
}
