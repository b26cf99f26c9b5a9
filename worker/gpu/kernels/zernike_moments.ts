/**
 * 3-D Zernike moments of a batch of weighted point sets (f32), Ω[s, c] = Σ_i w_i Z_c(p_i).
 *
 * Each invocation owns one (shape, point chunk) and one group of degrees l; it streams its
 * points once and keeps Σ w R_nl Y_lm for every (n, m) of its degrees in registers. The
 * kernel source is generated per (tables, degree group) with the recurrence constants inlined
 * and every loop over n, l, m unrolled, so the only memory traffic is one vec4 load per point
 * (x, y, z, w). Partial sums per chunk are added by a second kernel. Everything is recorded
 * into the open command encoder: no submit, no read. Reference: `zernike_moments_ref.ts`.
 * @module
 */
import type { Gpu } from "../device.ts";
import { kernel, read, readWrite } from "../kernel.ts";
import { ceilDiv, grid1d } from "../params.ts";
import type { Tensor } from "../tensor.ts";
import {
  type BasisRecurrences,
  coefficientIndex,
  DIRECTION_WGSL,
  LINEAR_64_MAIN,
  lit,
  type PointBatch,
  Y00,
} from "./basis.ts";

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
 * Records the moments Ω[s, c] = Σ_i w_i Z_c(p_i) of every shape in `batch` up to the order of
 * `rec`. Returns a new `[shapes, C]` tensor (C = (N+1)(N+2)(N+3)/6, canonical order); the
 * caller owns it.
 */
export function zernikeMoments(
  gpu: Gpu,
  batch: PointBatch,
  rec: BasisRecurrences,
  budget = ACCUMULATOR_BUDGET,
): Tensor {
  const order = rec.order;
  const { shapes, chunks, chunk } = batch;
  if (batch.tensor.size !== shapes * chunks * chunk * 4) {
    throw new RangeError(
      `Cannot compute moments: point tensor [${batch.tensor.shape}] does not hold ${shapes}×${chunks}×${chunk} points`,
    );
  }
  const count = ((order + 1) * (order + 2) * (order + 3)) / 6;
  const threads = shapes * chunks;
  const partial = gpu.empty([threads, count]);
  const uniforms = { threads, chunks, chunk, mpad: chunks * chunk, count };
  for (const [l0, l1] of degreeGroups(order, budget)) {
    MOMENTS.run(gpu, {
      variant: { rec, l0, l1 },
      buffers: { pts: batch.tensor, part: partial },
      uniforms,
      workgroups: grid1d(ceilDiv(threads, 64)),
    });
  }
  if (chunks === 1) {
    const direct = partial.reshape([shapes, count]);
    partial.dispose();
    return direct;
  }
  const out = gpu.empty([shapes, count]);
  SUM_CHUNKS.run(gpu, {
    buffers: { part: partial, out },
    uniforms: { total: shapes * count, chunks, count },
    workgroups: grid1d(ceilDiv(shapes * count, 64)),
  });
  partial.dispose();
  return out;
}

const SUM_CHUNKS = kernel({
  name: "spectral.sum_chunks",
  bindings: { part: read(), out: readWrite() },
  uniforms: { total: "u32", chunks: "u32", count: "u32" },
  key: () => "v1",
  body: () => `
${LINEAR_64_MAIN}
  if (t >= p.total) { return; }
  let s = t / p.count;
  let c = t % p.count;
  var acc = 0.0;
  for (var q = 0u; q < p.chunks; q = q + 1u) {
    acc = acc + part[(s * p.chunks + q) * p.count + c];
  }
  out[t] = acc;
}`,
});

/** What selects a moments source: the tables and the group of degrees l0..l1. */
interface MomentsVariant {
  rec: BasisRecurrences;
  l0: number;
  l1: number;
}

const MOMENTS = kernel({
  name: "spectral.zernike_moments",
  bindings: { pts: read("vec4<f32>"), part: readWrite() },
  uniforms: { threads: "u32", chunks: "u32", chunk: "u32", mpad: "u32", count: "u32" },
  key: (v: MomentsVariant) => `${v.rec.key}:N${v.rec.order}:l${v.l0}-${v.l1}`,
  body: (v) => momentsSource(v.rec, v.l0, v.l1),
});

/** WGSL entry point for degrees l0..l1 of the tables' order N. */
function momentsSource(rec: BasisRecurrences, l0: number, l1: number): string {
  const order = rec.order;
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
  for (let m = 1; m <= l1; m++) body.push(`let q${m} = ${lit(rec.sectoral(m))} * st * q${m - 1};`);
  for (let m = 0; m <= l1; m++) {
    body.push(`let p${m}_${m} = q${m};`);
    if (m + 1 <= l1) body.push(`let p${m + 1}_${m} = ${lit(Math.sqrt(2 * m + 3))} * ct * q${m};`);
    for (let l = m + 2; l <= l1; l++) {
      const [a, b] = rec.legendre(l, m);
      body.push(`let p${l}_${m} = ${lit(a)} * (ct * p${l - 1}_${m} - ${lit(b)} * p${l - 2}_${m});`);
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
      const [rp, rq, rc] = rec.radial(n, l);
      const name = `R${l}_${k}`;
      if (k === 0) body.push(`let ${name} = ${lit(rp)} * rl;`);
      else if (k === 1) body.push(`let ${name} = rl * (${lit(rp)} * r2 + ${lit(rq)});`);
      else {
        body.push(
          `let ${name} = (${lit(rp)} * r2 + ${lit(rq)}) * R${l}_${k - 1} - ${lit(rc)} * R${l}_${
            k - 2
          };`,
        );
      }
      for (let m = -l; m <= l; m++) {
        const a = `a${n}_${l}_${m < 0 ? "n" + -m : m}`;
        acc.push(`var ${a} = 0.0;`);
        body.push(`${a} = ${a} + ${name} * y${l}_${m < 0 ? "n" + -m : m};`);
        out.push(`part[o + ${coefficientIndex(n, l, m)}u] = ${a};`);
      }
    }
  }
  return `
${LINEAR_64_MAIN}
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
