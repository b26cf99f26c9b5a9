/**
 * Float64 evaluation of the spherical bases from their recurrences (`basis.ts`), for the
 * kernels' references.
 * @module
 */
import { type BasisRecurrences, coefficientIndex, Y00 } from "./basis.ts";

interface Dir {
  r: number;
  ct: number;
  st: number;
  cp: number;
  sp: number;
}

function direction(x: number, y: number, z: number): Dir {
  const rxy = Math.hypot(x, y);
  const r = Math.hypot(rxy, z);
  if (r === 0) return { r: 0, ct: 1, st: 0, cp: 1, sp: 0 };
  if (rxy === 0) return { r, ct: z / r, st: 0, cp: 1, sp: 0 };
  return { r, ct: z / r, st: rxy / r, cp: x / rxy, sp: y / rxy };
}

/** P̄_l^m(cos θ) as `p[l][m]`, l ≤ order. */
function legendre(rec: BasisRecurrences, d: Dir): number[][] {
  const L = rec.order;
  const p = Array.from({ length: L + 1 }, () => new Array<number>(L + 1).fill(0));
  let pmm = Y00;
  for (let m = 0; m <= L; m++) {
    if (m > 0) pmm *= rec.sectoral(m) * d.st;
    p[m][m] = pmm;
    if (m + 1 <= L) p[m + 1][m] = Math.sqrt(2 * m + 3) * d.ct * pmm;
    for (let l = m + 2; l <= L; l++) {
      const [a, b] = rec.legendre(l, m);
      p[l][m] = a * (d.ct * p[l - 1][m] - b * p[l - 2][m]);
    }
  }
  return p;
}

/** Y_lm at (x, y, z) in the order l² + l + m, l ≤ order. */
export function shValuesRef(rec: BasisRecurrences, x: number, y: number, z: number): Float64Array {
  const d = direction(x, y, z);
  const p = legendre(rec, d);
  const out = new Float64Array((rec.order + 1) ** 2);
  for (let m = 0; m <= rec.order; m++) {
    const c = Math.cos(m * Math.atan2(d.sp, d.cp));
    const s = Math.sin(m * Math.atan2(d.sp, d.cp));
    for (let l = m; l <= rec.order; l++) {
      if (m === 0) out[l * l + l] = p[l][0];
      else {
        out[l * l + l + m] = Math.SQRT2 * p[l][m] * c;
        out[l * l + l - m] = Math.SQRT2 * p[l][m] * s;
      }
    }
  }
  return out;
}

/** Z_nlm = R_nl(r) Y_lm at (x, y, z) in the canonical order, n ≤ order. */
export function zernikeValuesRef(
  rec: BasisRecurrences,
  x: number,
  y: number,
  z: number,
): Float64Array {
  const N = rec.order;
  const y_ = shValuesRef(rec, x, y, z);
  const r = Math.hypot(x, y, z);
  const out = new Float64Array(((N + 1) * (N + 2) * (N + 3)) / 6);
  for (let l = 0; l <= N; l++) {
    const R: number[] = [];
    for (let n = l, k = 0; n <= N; n += 2, k++) {
      const [pp, q, c] = rec.radial(n, l);
      const rl = r ** l;
      R.push(
        k === 0
          ? pp * rl
          : k === 1
          ? rl * (pp * r * r + q)
          : (pp * r * r + q) * R[k - 1] - c * R[k - 2],
      );
      for (let m = -l; m <= l; m++) out[coefficientIndex(n, l, m)] = R[k] * y_[l * l + l + m];
    }
  }
  return out;
}
