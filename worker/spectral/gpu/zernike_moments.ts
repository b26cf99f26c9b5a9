/**
 * WGSL 3D Zernike moments of a batch of weighted point sets (f32), Ω[s, c] = Σ_i w_i Z_c(p_i).
 *
 * Each invocation owns one (shape, point chunk) and one group of degrees l; it streams its
 * points once and keeps Σ w R_nl Y_lm for every (n, m) of its degrees in registers. The
 * kernel source is generated per (order, degree group) with the recurrence constants inlined
 * and every loop over n, l, m unrolled, so the only memory traffic is one vec4 load per point
 * (x, y, z, w). Partial sums per chunk are added by a second kernel. Everything is recorded
 * into the open command encoder: no submit, no read.
 */
import { ceilDiv, type Gpu, grid1d, params, type Tensor } from "../../gpu/mod.ts";
import { checkOrder, legendreIndex, radialIndex, zernikeCount, zernikeIndex } from "../indexing.ts";
import { radialTable } from "../radial.ts";
import { legendreTable, Y00 } from "../sh.ts";
import { DIRECTION_WGSL, LINEAR_INDEX_WGSL, lit } from "./wgsl.ts";

/** A batch of point sets on the GPU: `[shapes, chunks · chunk, 4]` of (x, y, z, w). */
export interface PointBatch {
  tensor: Tensor;
  shapes: number;
  chunks: number;
  chunk: number;
}

/** Largest number of (n, m) accumulators per invocation when grouping degrees. */
export const ACCUMULATOR_BUDGET = 400;

/**
 * Splits degrees 0..order into consecutive groups whose accumulator count Σ K_l (2l+1) stays
 * within `budget` (a single degree may exceed it).
 */
export function degreeGroups(order: number, budget = ACCUMULATOR_BUDGET): [number, number][] {
  const groups: [number, number][] = [];
  let start = 0;
  let used = 0;
  for (let l = 0; l <= order; l++) {
    const cost = (Math.floor((order - l) / 2) + 1) * (2 * l + 1);
    if (l > start && used + cost > budget) {
      groups.push([start, l - 1]);
      start = l;
      used = 0;
    }
    used += cost;
  }
  groups.push([start, order]);
  return groups;
}

/**
 * Records the moments of every shape in `batch` up to `order`. Returns a new `[shapes, C]`
 * tensor (C = (N+1)(N+2)(N+3)/6, canonical order); the caller owns it.
 */
export function zernikeMomentsGpu(
  gpu: Gpu,
  batch: PointBatch,
  order: number,
  budget = ACCUMULATOR_BUDGET,
): Tensor {
  checkOrder(order, "Zernike order");
  const { shapes, chunks, chunk } = batch;
  if (batch.tensor.size !== shapes * chunks * chunk * 4) {
    throw new RangeError(
      `Cannot compute moments: point tensor [${batch.tensor.shape}] does not hold ${shapes}×${chunks}×${chunk} points`,
    );
  }
  const count = zernikeCount(order);
  const threads = shapes * chunks;
  const partial = gpu.empty([threads, count]);
  const p = params().u32(threads).u32(chunks).u32(chunk).u32(chunks * chunk).u32(count).build();
  for (const [l0, l1] of degreeGroups(order, budget)) {
    gpu.run({
      name: "spectral.zernike_moments",
      key: `N${order}:l${l0}-${l1}`,
      source: () => momentsSource(order, l0, l1),
      buffers: [batch.tensor, partial],
      params: p,
      workgroups: grid1d(ceilDiv(threads, 64)),
    });
  }
  if (chunks === 1) {
    const direct = partial.reshape([shapes, count]);
    partial.dispose();
    return direct;
  }
  const out = gpu.empty([shapes, count]);
  gpu.run({
    name: "spectral.sum_chunks",
    key: "v1",
    source: () => SUM_CHUNKS,
    buffers: [partial, out],
    params: params().u32(shapes * count).u32(chunks).u32(count).build(),
    workgroups: grid1d(ceilDiv(shapes * count, 64)),
  });
  partial.dispose();
  return out;
}

const SUM_CHUNKS = `
struct P { total: u32, chunks: u32, count: u32 }
@group(0) @binding(0) var<storage, read> part: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: P;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  ${LINEAR_INDEX_WGSL}
  if (t >= p.total) { return; }
  let s = t / p.count;
  let c = t % p.count;
  var acc = 0.0;
  for (var q = 0u; q < p.chunks; q = q + 1u) {
    acc = acc + part[(s * p.chunks + q) * p.count + c];
  }
  out[t] = acc;
}`;

/** WGSL for degrees l0..l1 of order N. */
function momentsSource(order: number, l0: number, l1: number): string {
  const rad = radialTable(order);
  const leg = legendreTable(Math.max(l1, 1));
  const acc: string[] = [];
  const body: string[] = [];
  const out: string[] = [];
  // cos(mφ), sin(mφ) by angle addition, with √2 folded in (m ≥ 1).
  for (let m = 1; m <= l1; m++) {
    if (m === 1) body.push("let c1 = cp;", "let s1 = sp;");
    else {
      body.push(`let c${m} = c${m - 1} * cp - s${m - 1} * sp;`);
      body.push(`let s${m} = s${m - 1} * cp + c${m - 1} * sp;`);
    }
    body.push(
      `let cc${m} = ${lit(Math.SQRT2)} * c${m};`,
      `let ss${m} = ${lit(Math.SQRT2)} * s${m};`,
    );
  }
  // Normalised associated Legendre values P̄_l^m for l in [l0, l1], all m ≤ l.
  body.push(`let q0 = ${lit(Y00)};`);
  for (let m = 1; m <= l1; m++) body.push(`let q${m} = ${lit(leg.sectoral[m])} * st * q${m - 1};`);
  for (let m = 0; m <= l1; m++) {
    body.push(`let p${m}_${m} = q${m};`);
    if (m + 1 <= l1) body.push(`let p${m + 1}_${m} = ${lit(Math.sqrt(2 * m + 3))} * ct * q${m};`);
    for (let l = m + 2; l <= l1; l++) {
      const i = legendreIndex(l, m);
      body.push(
        `let p${l}_${m} = ${lit(leg.a[i])} * (ct * p${l - 1}_${m} - ${lit(leg.b[i])} * p${
          l - 2
        }_${m});`,
      );
    }
  }
  // w · r^l for l in the group.
  body.push("var rl = w;");
  for (let l = 1; l <= l0; l++) body.push("rl = rl * r;");
  for (let l = l0; l <= l1; l++) {
    if (l > l0) body.push("rl = rl * r;");
    const ys: [number, string][] = [];
    for (let m = -l; m <= l; m++) {
      ys.push([
        m,
        m === 0 ? `p${l}_0` : m > 0 ? `(cc${m} * p${l}_${m})` : `(ss${-m} * p${l}_${-m})`,
      ]);
    }
    for (const [m, expr] of ys) body.push(`let y${l}_${m < 0 ? "n" + -m : m} = ${expr};`);
    for (let n = l, k = 0; n <= order; n += 2, k++) {
      const i = radialIndex(n, l);
      const name = `R${l}_${k}`;
      if (k === 0) body.push(`let ${name} = ${lit(rad.p[i])} * rl;`);
      else if (k === 1) body.push(`let ${name} = rl * (${lit(rad.p[i])} * r2 + ${lit(rad.q[i])});`);
      else {
        body.push(
          `let ${name} = (${lit(rad.p[i])} * r2 + ${lit(rad.q[i])}) * R${l}_${k - 1} - ${
            lit(rad.c[i])
          } * R${l}_${k - 2};`,
        );
      }
      for (let m = -l; m <= l; m++) {
        const a = `a${n}_${l}_${m < 0 ? "n" + -m : m}`;
        acc.push(`var ${a} = 0.0;`);
        body.push(`${a} = ${a} + ${name} * y${l}_${m < 0 ? "n" + -m : m};`);
        out.push(`part[o + ${zernikeIndex(n, l, m)}u] = ${a};`);
      }
    }
  }
  return `
struct P { threads: u32, chunks: u32, chunk: u32, mpad: u32, count: u32 }
@group(0) @binding(0) var<storage, read> pts: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> part: array<f32>;
@group(0) @binding(2) var<uniform> p: P;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  ${LINEAR_INDEX_WGSL}
  if (t >= p.threads) { return; }
  let base = (t / p.chunks) * p.mpad + (t % p.chunks) * p.chunk;
  ${acc.join("\n  ")}
  for (var i = 0u; i < p.chunk; i = i + 1u) {
    let v = pts[base + i];
    let x = v.x;
    let y = v.y;
    let z = v.z;
    let w = v.w;
    ${DIRECTION_WGSL}
    ${body.join("\n    ")}
  }
  let o = t * p.count;
  ${out.join("\n  ")}
}`;
}
