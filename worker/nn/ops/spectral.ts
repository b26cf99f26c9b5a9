/**
 * Differentiable spectral normalisation of a weight: W / σ(W).
 */
import {
  binary,
  matmul as kmatmul,
  powerIteration,
  spectralNormGrad,
} from "../../gpu/kernels/mod.ts";
import type { Tape } from "../tape.ts";
import { reshapeOwned } from "./_util.ts";
import type { Tensor } from "../../gpu/mod.ts";

/** Options of {@link spectralNormalize}. */
export interface SpectralNormalizeOptions {
  /** Run one power-iteration step first, updating `u` and `v` in place (default false). */
  update?: boolean;
}

/**
 * W / σ for a weight of any rank, seen as the matrix [prod(leading dims), last dim] with left
 * and right singular vector estimates `u` [rows] and `v` [cols]. σ = uᵀWv, after one power
 * iteration when `update` is set. The gradient goes through σ with u, v held constant.
 * When `update` is set, do not run another updating forward with the same u, v before the
 * gradients of this one are taken (the backward pass reads them).
 */
export function spectralNormalize(
  tape: Tape,
  w: Tensor,
  u: Tensor,
  v: Tensor,
  opts: SpectralNormalizeOptions = {},
): Tensor {
  const cols = w.shape[w.rank - 1];
  const rows = w.size / cols;
  if (w.rank < 2 || u.size !== rows || v.size !== cols) {
    throw new RangeError(
      `Cannot spectral-normalise [${w.shape}]: u [${u.shape}] and v [${v.shape}] must have ${rows} and ${cols} elements`,
    );
  }
  const w2 = tape.own(w.reshape([rows, cols]));
  const sigma = tape.own(opts.update ? powerIteration(w2, u, v) : bilinear(u, w2, v));
  const y = binary("div", w, sigma);
  return tape.record("spectralNormalize", [w], y, (dy) => {
    const dy2 = dy.reshape([rows, cols]);
    const dw = spectralNormGrad(w2, u, v, sigma, dy2);
    dy2.dispose();
    return [reshapeOwned(dw, w.shape)];
  });
}

/** uᵀ W v as a [1] tensor. */
function bilinear(u: Tensor, w: Tensor, v: Tensor): Tensor {
  const ur = u.reshape([1, u.size]);
  const vc = v.reshape([v.size, 1]);
  const uw = kmatmul(ur, w);
  const s = kmatmul(uw, vc);
  for (const t of [ur, vc, uw]) t.dispose();
  return reshapeOwned(s, [1]);
}
