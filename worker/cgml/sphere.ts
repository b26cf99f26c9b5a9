/**
 * Latents on the unit sphere S^{d−1}.
 * @module
 */
import type { Rng } from "../lib/mod.ts";

/** `n` points uniform on S^{d−1} (normalised Gaussian vectors), row-major [n, d]. */
export function sampleSphere(rng: Rng, n: number, d: number): Float32Array {
  const out = new Float32Array(n * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    do {
      norm = 0;
      for (let j = 0; j < d; j++) {
        row[j] = rng.normal();
        norm += row[j] * row[j];
      }
    } while (norm < 1e-12);
    norm = Math.sqrt(norm);
    for (let j = 0; j < d; j++) out[i * d + j] = row[j] / norm;
  }
  return out;
}
