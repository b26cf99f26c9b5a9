/** Float64 CPU reference of the soft-bin terms kernel (`histogram.ts`). */

/**
 * `softBinTerms` in float64: slope and mid, flat [n, c, bins], for values (flat [n, c]) —
 * slope_k = (c_k − u) / σ², mid_k = (u + c_k) / 2 with u the centre nearest to the value.
 */
export function softBinTermsRef(
  values: ArrayLike<number>,
  bins: number,
  bandwidth: number,
): { slope: Float64Array; mid: Float64Array } {
  const slope = new Float64Array(values.length * bins);
  const mid = new Float64Array(values.length * bins);
  for (let i = 0; i < values.length; i++) {
    const j = Math.min(Math.max(Math.floor(values[i] * bins), 0), bins - 1);
    const u = (j + 0.5) / bins;
    for (let k = 0; k < bins; k++) {
      const ck = (k + 0.5) / bins;
      slope[i * bins + k] = (ck - u) / (bandwidth * bandwidth);
      mid[i * bins + k] = (u + ck) / 2;
    }
  }
  return { slope, mid };
}
