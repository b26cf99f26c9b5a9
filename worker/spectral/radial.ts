/**
 * Orthonormal 3D Zernike radial functions R_nl by the Jacobi three-term recurrence with the
 * normalisation folded in (SPECTRAL.md §2.3):
 *
 *   ∫₀¹ R_nl(r) R_n'l(r) r² dr = δ_nn',   R_nl(r) = √(2n+3) · r^l · P_k^{(0, l+1/2)}(2r² − 1).
 *
 * The explicit power sum is never used for evaluation (it cancels catastrophically past n ≈ 12).
 */
import { checkOrder, radialCount, radialIndex } from "./indexing.ts";

/**
 * Recurrence coefficients per (n, l), indexed by {@link radialIndex}. For k = (n−l)/2:
 * - k = 0: R = p · r^l (q and c unused);
 * - k = 1: R = r^l · (p·r² + q);
 * - k ≥ 2: R_n = (p·r² + q) · R_{n−2} − c · R_{n−4}.
 */
export interface RadialTable {
  order: number;
  p: Float64Array;
  q: Float64Array;
  c: Float64Array;
}

const tables = new Map<number, RadialTable>();

/** The (cached) recurrence table for orders up to `order`. */
export function radialTable(order: number): RadialTable {
  checkOrder(order, "Zernike order");
  const hit = tables.get(order);
  if (hit) return hit;
  const size = radialCount(order);
  const p = new Float64Array(size);
  const q = new Float64Array(size);
  const c = new Float64Array(size);
  for (let l = 0; l <= order; l++) {
    const beta = l + 0.5;
    for (let n = l; n <= order; n += 2) {
      const k = (n - l) / 2;
      const i = radialIndex(n, l);
      if (k === 0) {
        p[i] = Math.sqrt(2 * l + 3);
      } else if (k === 1) {
        const s = Math.sqrt(2 * l + 7);
        p[i] = s * (l + 2.5);
        q[i] = -s * (l + 1.5);
      } else {
        // Step from n' = n − 2 (index k' = k − 1) to n.
        const kk = k - 1;
        const np = n - 2;
        const d = 2 * (kk + 1) * (kk + beta + 1);
        const a = ((2 * kk + beta + 1) * (2 * kk + beta + 2)) / d;
        const b = (-beta * beta * (2 * kk + beta + 1)) / (d * (2 * kk + beta));
        const cc = (kk * (kk + beta) * (2 * kk + beta + 2)) /
          ((kk + 1) * (kk + beta + 1) * (2 * kk + beta));
        const up = Math.sqrt((2 * np + 7) / (2 * np + 3));
        const A = a * up;
        const B = b * up;
        p[i] = 2 * A;
        q[i] = B - A;
        c[i] = cc * Math.sqrt((2 * np + 7) / (2 * np - 1));
      }
    }
  }
  const table = { order, p, q, c };
  tables.set(order, table);
  return table;
}

/**
 * Evaluates every R_nl(r), n ≤ order, into `out` (indexed by {@link radialIndex}).
 * Works in float64; `r` may be anywhere in [0, 1] (and beyond, where the polynomials grow).
 */
export function evalRadial(r: number, order: number, out: Float64Array): Float64Array {
  const t = radialTable(order);
  const r2 = r * r;
  let rl = 1;
  for (let l = 0; l <= order; l++) {
    if (l > 0) rl *= r;
    let i0 = radialIndex(l, l);
    out[i0] = t.p[i0] * rl;
    if (l + 2 > order) continue;
    let i1 = radialIndex(l + 2, l);
    out[i1] = rl * (t.p[i1] * r2 + t.q[i1]);
    for (let n = l + 4; n <= order; n += 2) {
      const i = radialIndex(n, l);
      out[i] = (t.p[i] * r2 + t.q[i]) * out[i1] - t.c[i] * out[i0];
      i0 = i1;
      i1 = i;
    }
  }
  return out;
}

/** One radial value R_nl(r) (convenience; evaluates the whole table up to n). */
export function radial(n: number, l: number, r: number): number {
  const out = new Float64Array(radialCount(n));
  return evalRadial(r, n, out)[radialIndex(n, l)];
}
