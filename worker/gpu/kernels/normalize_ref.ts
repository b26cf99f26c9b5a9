/** Float64 CPU references of row-wise L2 normalisation. */

/** `l2Normalize` of `[rows, dim]` in float64. */
export function l2NormalizeRef(
  x: ArrayLike<number>,
  dim: number,
  eps = 1e-12,
): Float64Array {
  const out = new Float64Array(x.length);
  for (let base = 0; base < x.length; base += dim) {
    let ss = 0;
    for (let k = 0; k < dim; k++) ss += x[base + k] ** 2;
    const d = Math.max(Math.sqrt(ss), eps);
    for (let k = 0; k < dim; k++) out[base + k] = x[base + k] / d;
  }
  return out;
}

/** `l2NormalizeGrad` of `[rows, dim]` in float64 (the output is recomputed from `x`). */
export function l2NormalizeGradRef(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  dim: number,
  eps = 1e-12,
): Float64Array {
  const y = l2NormalizeRef(x, dim, eps);
  const out = new Float64Array(x.length);
  for (let base = 0; base < x.length; base += dim) {
    let ss = 0;
    let yd = 0;
    for (let k = 0; k < dim; k++) {
      ss += x[base + k] ** 2;
      yd += y[base + k] * dy[base + k];
    }
    const norm = Math.sqrt(ss);
    for (let k = 0; k < dim; k++) {
      const i = base + k;
      out[i] = norm > eps ? (dy[i] - y[i] * yd) / norm : dy[i] / eps;
    }
  }
  return out;
}
