/** Float64 CPU references of the inverse transforms (`basis_eval.ts`). */
import type { BasisRecurrences } from "./basis.ts";
import { shValuesRef, zernikeValuesRef } from "./basis_ref.ts";

/**
 * f = Σ_c coefficients[c] · B_c(x) at each (x, y, z, ·) query of `queries` (flat, 4 per query),
 * with B the Zernike basis (0 outside the unit ball) or, for `radial` false, the real SH.
 */
export function basisEvalRef(
  rec: BasisRecurrences,
  coefficients: ArrayLike<number>,
  queries: ArrayLike<number>,
  radial: boolean,
): Float64Array {
  const out = new Float64Array(queries.length / 4);
  for (let i = 0; i < out.length; i++) {
    const [x, y, z] = [queries[4 * i], queries[4 * i + 1], queries[4 * i + 2]];
    if (radial && x * x + y * y + z * z > 1) continue;
    const b = radial ? zernikeValuesRef(rec, x, y, z) : shValuesRef(rec, x, y, z);
    for (let c = 0; c < b.length; c++) out[i] += coefficients[c] * b[c];
  }
  return out;
}
