/** Float64 CPU reference of the Zernike moments kernel (`zernike_moments.ts`). */
import type { BasisRecurrences } from "./basis.ts";
import { zernikeValuesRef } from "./basis_ref.ts";

/** Ω[c] = Σ_i w_i Z_c(p_i) of one set of (x, y, z, w) points, in the canonical order. */
export function zernikeMomentsRef(
  rec: BasisRecurrences,
  points: ArrayLike<number>,
): Float64Array {
  const N = rec.order;
  const out = new Float64Array(((N + 1) * (N + 2) * (N + 3)) / 6);
  for (let i = 0; i + 3 < points.length; i += 4) {
    const z = zernikeValuesRef(rec, points[i], points[i + 1], points[i + 2]);
    for (let c = 0; c < out.length; c++) out[c] += points[i + 3] * z[c];
  }
  return out;
}
