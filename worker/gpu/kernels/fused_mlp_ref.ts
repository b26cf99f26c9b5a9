/**
 * Float64 CPU reference of the fused MLP's forward pass (`fused_mlp.ts`).
 * @module
 */
import { fusedLayout } from "./fused_mlp.ts";

/** Options of {@link fusedMlpRef}. */
export interface FusedMlpRefOptions {
  /** LeakyReLU slope. */
  slope: number;
  /** Output scale L. */
  scale: number;
  /** Softplus on the last output column. */
  softplusLast: boolean;
  /** Spectral-norm vectors (flat, layer after layer as in `FusedLayout`); none: no norm. */
  u?: ArrayLike<number>;
  v?: ArrayLike<number>;
}

/**
 * CPU reference (float64) of the fused forward pass: `rows` rows of `x` (inputs already side
 * by side) through the network with flat parameters `w`; σ_l = u_lᵀ W_l v_l when u, v given.
 */
export function fusedMlpRef(
  sizes: readonly number[],
  w: ArrayLike<number>,
  x: ArrayLike<number>,
  rows: number,
  o: FusedMlpRefOptions,
): Float64Array {
  const lay = fusedLayout(sizes);
  const L = sizes.length - 1;
  const sig = Array.from({ length: L }, (_, l) => {
    if (!o.u || !o.v) return 1;
    let s = 0;
    for (let i = 0; i < sizes[l]; i++) {
      for (let j = 0; j < sizes[l + 1]; j++) {
        s += o.u[lay.uOff[l] + i] * w[lay.wOff[l] + i * sizes[l + 1] + j] * o.v[lay.vOff[l] + j];
      }
    }
    return s;
  });
  const nL = sizes[L];
  const out = new Float64Array(rows * nL);
  for (let r = 0; r < rows; r++) {
    let h = Array.from({ length: sizes[0] }, (_, i) => x[r * sizes[0] + i]);
    for (let l = 0; l < L; l++) {
      const next: number[] = [];
      for (let j = 0; j < sizes[l + 1]; j++) {
        let s = 0;
        for (let i = 0; i < sizes[l]; i++) s += h[i] * w[lay.wOff[l] + i * sizes[l + 1] + j];
        s = s / sig[l] + w[lay.bOff[l] + j];
        next.push(l + 1 < L ? (s > 0 ? s : o.slope * s) : s);
      }
      h = next;
    }
    for (let j = 0; j < nL; j++) {
      const v = o.scale * h[j];
      out[r * nL + j] = o.softplusLast && j === nL - 1
        ? Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)))
        : v;
    }
  }
  return out;
}
