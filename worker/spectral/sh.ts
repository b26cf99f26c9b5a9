/**
 * Real orthonormal spherical harmonics without the Condon–Shortley phase (SPECTRAL.md §3):
 *
 *   Y_l0 = P̄_l^0(cos θ),  Y_lm = √2 P̄_l^m(cos θ) cos(mφ),  Y_l,−m = √2 P̄_l^m(cos θ) sin(mφ),
 *
 * so (Y_1,−1, Y_10, Y_11) = √(3/4π) (y, z, x). Angles come from Cartesian coordinates without
 * trigonometric inverses; sin θ is ρ_xy / r, never √(1 − cos²θ).
 */
import { checkOrder, legendreIndex, shCount, shIndex } from "./indexing.ts";

/** Recurrence coefficients of the fully normalised associated Legendre functions. */
export interface LegendreTable {
  degree: number;
  /** √((2m+1)/(2m)) for the sectoral step, indexed by m (entry 0 unused). */
  sectoral: Float64Array;
  /** a_lm, indexed by {@link legendreIndex}. */
  a: Float64Array;
  /** b_lm, indexed by {@link legendreIndex}. */
  b: Float64Array;
}

/** 1/√(4π) = P̄_0^0. */
export const Y00 = 1 / Math.sqrt(4 * Math.PI);

const tables = new Map<number, LegendreTable>();

/** The (cached) Legendre recurrence table up to `degree`. */
export function legendreTable(degree: number): LegendreTable {
  checkOrder(degree, "spherical-harmonic degree");
  const hit = tables.get(degree);
  if (hit) return hit;
  const size = ((degree + 1) * (degree + 2)) / 2;
  const sectoral = new Float64Array(degree + 1);
  const a = new Float64Array(size);
  const b = new Float64Array(size);
  for (let m = 1; m <= degree; m++) sectoral[m] = Math.sqrt((2 * m + 1) / (2 * m));
  for (let m = 0; m <= degree; m++) {
    for (let l = m + 2; l <= degree; l++) {
      const i = legendreIndex(l, m);
      a[i] = Math.sqrt((4 * l * l - 1) / (l * l - m * m));
      b[i] = Math.sqrt(((l - 1) * (l - 1) - m * m) / (4 * (l - 1) * (l - 1) - 1));
    }
  }
  const table = { degree, sectoral, a, b };
  tables.set(degree, table);
  return table;
}

/**
 * Fills `out` (indexed by {@link legendreIndex}) with P̄_l^m(t), 0 ≤ m ≤ l ≤ degree, given
 * t = cos θ and s = sin θ ≥ 0.
 */
export function evalLegendre(
  t: number,
  s: number,
  degree: number,
  out: Float64Array,
): Float64Array {
  const tab = legendreTable(degree);
  let pmm = Y00;
  for (let m = 0; m <= degree; m++) {
    if (m > 0) pmm *= tab.sectoral[m] * s;
    out[legendreIndex(m, m)] = pmm;
    if (m === degree) break;
    let p0 = pmm;
    let p1 = Math.sqrt(2 * m + 3) * t * pmm;
    out[legendreIndex(m + 1, m)] = p1;
    for (let l = m + 2; l <= degree; l++) {
      const i = legendreIndex(l, m);
      const p2 = tab.a[i] * (t * p1 - tab.b[i] * p0);
      out[i] = p2;
      p0 = p1;
      p1 = p2;
    }
  }
  return out;
}

/** Direction cosines of a point: cos θ, sin θ, cos φ, sin φ (r = 0 maps to +z). */
export interface Direction {
  r: number;
  ct: number;
  st: number;
  cp: number;
  sp: number;
}

/** Computes {@link Direction} of (x, y, z) without trigonometric inverses. */
export function direction(x: number, y: number, z: number): Direction {
  const rxy = Math.sqrt(x * x + y * y);
  const r = Math.sqrt(rxy * rxy + z * z);
  if (r === 0) return { r: 0, ct: 1, st: 0, cp: 1, sp: 0 };
  if (rxy === 0) return { r, ct: z / r, st: 0, cp: 1, sp: 0 };
  return { r, ct: z / r, st: rxy / r, cp: x / rxy, sp: y / rxy };
}

/**
 * Fills `out` (length (degree+1)², flat index l² + l + m) with the real SH at a direction,
 * using `legendre` (length (degree+1)(degree+2)/2) as scratch.
 */
export function evalShAt(
  d: Direction,
  degree: number,
  out: Float64Array,
  legendre: Float64Array = new Float64Array(((degree + 1) * (degree + 2)) / 2),
): Float64Array {
  evalLegendre(d.ct, d.st, degree, legendre);
  let cm = 1;
  let sm = 0;
  for (let m = 0; m <= degree; m++) {
    if (m > 0) {
      const c = cm * d.cp - sm * d.sp;
      sm = sm * d.cp + cm * d.sp;
      cm = c;
    }
    for (let l = m; l <= degree; l++) {
      const p = legendre[legendreIndex(l, m)];
      if (m === 0) {
        out[l * l + l] = p;
      } else {
        out[l * l + l + m] = Math.SQRT2 * p * cm;
        out[l * l + l - m] = Math.SQRT2 * p * sm;
      }
    }
  }
  return out;
}

/** All real SH up to `degree` at the direction of (x, y, z), as a new array. */
export function realSh(x: number, y: number, z: number, degree: number): Float64Array {
  return evalShAt(direction(x, y, z), degree, new Float64Array(shCount(degree)));
}

/** One real SH value Y_lm at the direction of (x, y, z). */
export function realShValue(l: number, m: number, x: number, y: number, z: number): number {
  return realSh(x, y, z, l)[shIndex(l, m)];
}
