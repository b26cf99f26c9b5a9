/**
 * Differentiable soft-histogram KL loss: pushes each channel's value distribution towards the
 * uniform distribution on [0, 1] (the histogram term of the colorization loss of cGML, ICLR 2021
 * Sec. 5.2: λ·(KL(hist(a) ‖ U) + KL(hist(b) ‖ U))).
 *
 * Every value v spreads over `bins` equal bins on [0, 1] (centres c_k = (k + 0.5) / bins) with
 * Gaussian soft-assignment weights w_k(v) = softmax_k(−(v − c_k)² / (2σ²)). The softmax is taken
 * relative to the nearest centre u(v) (a piecewise-constant, gradient-free shift, so the weights
 * and their gradients are exactly those of the plain formula):
 *
 *   logit_k = ((v − u)² − (v − c_k)²) / (2σ²) = slope_k · (v − mid_k),
 *   slope_k = (c_k − u) / σ²,  mid_k = (u + c_k) / 2,
 *
 * so the largest logit is exactly 0: no overflow, no all-zero row, and values far outside [0, 1]
 * give their mass to the nearest edge bins with finite gradients. One small kernel
 * (`gpu/kernels/histogram.ts`) computes the detached `slope` and `mid`; everything that depends
 * on v differentiably is recorded from the existing ops, so the gradient comes from the tape.
 */
import { softBinTerms } from "../../gpu/kernels/mod.ts";
import type { Tensor } from "../../gpu/mod.ts";
import type { Tape } from "../tape.ts";
import { addScalar, div, mul, sub, unaryOp } from "./elementwise.ts";
import { mean, sum } from "./reduce.ts";
import { reshape } from "./shape.ts";

/** Added to each histogram entry inside the log so that empty bins give finite values. */
export const HISTOGRAM_LOG_EPS = 1e-8;

/** Options of {@link histogramKl}. */
export interface HistogramKlOptions {
  /** Number of equal bins on [0, 1] (an integer ≥ 1). */
  bins: number;
  /** Gaussian kernel width σ of the soft assignment (default 1 / bins). */
  bandwidth?: number;
}

/**
 * Σ_c KL(h_c ‖ U(0, 1)) as a [1] tensor, for `values` [N, C] (N samples, C channels, nominally
 * in [0, 1]). h_c,k is the mean over the N values of channel c of the soft weights w_k(v) (see
 * the module documentation); the loss is Σ_c Σ_k h_c,k · log(h_c,k + ε) + C · log(bins) with
 * ε = {@link HISTOGRAM_LOG_EPS}, i.e. Σ h · log(bins · (h + ε)) since each histogram sums to 1.
 * It is 0 for a perfectly flat histogram and at most ≈ C · log(bins). Memory: a handful of
 * [N, C, bins] intermediates stay on the tape until the backward pass.
 */
export function histogramKl(tape: Tape, values: Tensor, opts: HistogramKlOptions): Tensor {
  const { bins } = opts;
  const bandwidth = opts.bandwidth ?? 1 / bins;
  if (values.rank !== 2 || values.shape[0] < 1 || values.shape[1] < 1) {
    throw new RangeError(
      `Cannot compute histogramKl: values must have shape [N, C] with N, C >= 1, got [${values.shape}]`,
    );
  }
  if (!Number.isInteger(bins) || bins < 1) {
    throw new RangeError(`Cannot compute histogramKl: bins must be an integer >= 1, got ${bins}`);
  }
  if (!(bandwidth > 0) || !Number.isFinite(bandwidth)) {
    throw new RangeError(
      `Cannot compute histogramKl: bandwidth must be a finite number > 0, got ${bandwidth}`,
    );
  }
  const [n, c] = values.shape;
  const { slope, mid } = softBinTerms(values, bins, bandwidth);
  tape.own(slope);
  tape.own(mid);
  const v3 = reshape(tape, values, [n, c, 1]);
  const logits = mul(tape, sub(tape, v3, mid), slope); // [N, C, K], max over k is 0
  const e = unaryOp(tape, "exp", logits);
  const w = div(tape, e, sum(tape, e, [2], true)); // soft weights, rows sum to 1
  const h = mean(tape, w, [0]); // [C, K]
  const plogp = mul(tape, h, unaryOp(tape, "log", addScalar(tape, h, HISTOGRAM_LOG_EPS)));
  const total = reshape(tape, sum(tape, plogp, undefined, true), [1]);
  return addScalar(tape, total, c * Math.log(bins));
}
