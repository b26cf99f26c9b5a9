/** Float64 CPU references of the soft-histogram KL loss (`histogram.ts`). */
import { HISTOGRAM_LOG_EPS } from "./histogram.ts";

/**
 * The soft histograms of `values` [n, c] in float64, flat [c, bins]: entry (ch, k) is the mean
 * over the n values of channel ch of softmax_k(−(v − c_k)² / (2σ²)), c_k = (k + 0.5) / bins,
 * σ = `bandwidth` (default 1 / bins).
 */
export function softHistogramRef(
  values: ArrayLike<number>,
  n: number,
  c: number,
  bins: number,
  bandwidth = 1 / bins,
): Float64Array {
  const h = new Float64Array(c * bins);
  const logits = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const v = values[i * c + ch];
      let max = -Infinity;
      for (let k = 0; k < bins; k++) {
        const d = v - (k + 0.5) / bins;
        logits[k] = -(d * d) / (2 * bandwidth * bandwidth);
        max = Math.max(max, logits[k]);
      }
      let z = 0;
      for (let k = 0; k < bins; k++) z += logits[k] = Math.exp(logits[k] - max);
      for (let k = 0; k < bins; k++) h[ch * bins + k] += logits[k] / z / n;
    }
  }
  return h;
}

/**
 * `histogramKl` in float64: Σ_c Σ_k h_c,k · log(h_c,k + ε) + c · log(bins) for the histograms
 * of {@link softHistogramRef} (ε = `HISTOGRAM_LOG_EPS`).
 */
export function histogramKlRef(
  values: ArrayLike<number>,
  n: number,
  c: number,
  bins: number,
  bandwidth = 1 / bins,
): number {
  const h = softHistogramRef(values, n, c, bins, bandwidth);
  let kl = c * Math.log(bins);
  for (const p of h) kl += p * Math.log(p + HISTOGRAM_LOG_EPS);
  return kl;
}
