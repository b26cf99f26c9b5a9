/** Float64 CPU references of spectral normalisation. */

function normalized(x: Float64Array): Float64Array {
  const n = Math.max(Math.hypot(...x), 1e-12);
  return x.map((e) => e / n);
}

/** One power step on `w [rows, cols]` in float64: returns the new `u`, `v` and `sigma`. */
export function powerIterationRef(
  w: ArrayLike<number>,
  rows: number,
  cols: number,
  u: ArrayLike<number>,
): { u: Float64Array; v: Float64Array; sigma: number } {
  const wtu = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) wtu[j] += w[i * cols + j] * u[i];
  const v = normalized(wtu);
  const wv = new Float64Array(rows);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) wv[i] += w[i * cols + j] * v[j];
  const u2 = normalized(wv);
  let sigma = 0;
  for (let i = 0; i < rows; i++) sigma += u2[i] * wv[i];
  return { u: u2, v, sigma };
}

/** `spectralNormGrad` in float64: `(dWsn - ⟨dWsn, w/σ⟩ u vᵀ) / σ`. */
export function spectralNormGradRef(
  w: ArrayLike<number>,
  rows: number,
  cols: number,
  u: ArrayLike<number>,
  v: ArrayLike<number>,
  sigma: number,
  dWsn: ArrayLike<number>,
): Float64Array {
  let dot = 0;
  for (let k = 0; k < rows * cols; k++) dot += (dWsn[k] * w[k]) / sigma;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const k = i * cols + j;
      out[k] = (dWsn[k] - dot * u[i] * v[j]) / sigma;
    }
  }
  return out;
}
