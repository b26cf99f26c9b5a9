/**
 * Rotation invariants (SPECTRAL.md §3.4): the norm of each degree-l block over m.
 * Zernike F_nl = √(Σ_m Ω_nlm²) in the order of `radialPairs`; SH E_l = √(Σ_m c_lm²).
 */
import { radialCount, shCount, zernikeCount } from "./indexing.ts";

/** Zernike invariants F_nl, n ≤ order, indexed like `radialIndex(n, l)`. */
export function zernikeInvariants(coefficients: ArrayLike<number>, order: number): Float64Array {
  if (coefficients.length < zernikeCount(order)) {
    throw new RangeError(
      `Cannot compute invariants of order ${order} from ${coefficients.length} coefficients`,
    );
  }
  const out = new Float64Array(radialCount(order));
  let i = 0;
  for (let n = 0; n <= order; n++) {
    const t = (n * (n + 1) * (n + 2)) / 6;
    for (let l = n % 2; l <= n; l += 2) {
      const base = t + (l * (l + 1)) / 2;
      let s = 0;
      for (let m = -l; m <= l; m++) s += coefficients[base + m] ** 2;
      out[i++] = Math.sqrt(s);
    }
  }
  return out;
}

/** SH invariants E_l, l ≤ degree. */
export function shInvariants(coefficients: ArrayLike<number>, degree: number): Float64Array {
  if (coefficients.length < shCount(degree)) {
    throw new RangeError(
      `Cannot compute invariants of degree ${degree} from ${coefficients.length} coefficients`,
    );
  }
  const out = new Float64Array(degree + 1);
  for (let l = 0; l <= degree; l++) {
    let s = 0;
    for (let m = -l; m <= l; m++) s += coefficients[l * l + l + m] ** 2;
    out[l] = Math.sqrt(s);
  }
  return out;
}
