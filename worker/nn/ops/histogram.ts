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
 * give their mass to the nearest edge bins with finite gradients. One small kernel computes the
 * detached `slope` and `mid`; everything that depends on v differentiably is recorded from the
 * existing ops, so the gradient comes from the tape.
 */
import { ceilDiv, grid1d, params, type Tensor } from "../../gpu/mod.ts";
import type { Tape } from "../tape.ts";
import { addScalar, div, mul, sub, unaryOp } from "./elementwise.ts";
import { mean, sum } from "./reduce.ts";
import { reshape } from "./shape.ts";

const WG = 64;

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

/**
 * The detached terms of the soft assignment of `values` [N, C]: `slope` and `mid` [N, C, bins]
 * with slope_k = (c_k − u) / σ² and mid_k = (u + c_k) / 2, u the centre nearest to the value
 * (one dispatch; exported for tests).
 */
export function softBinTerms(
  values: Tensor,
  bins: number,
  bandwidth: number,
): { slope: Tensor; mid: Tensor } {
  const gpu = values.gpu;
  const shape = [...values.shape, bins];
  const slope = gpu.empty(shape);
  const mid = gpu.empty(shape);
  const total = values.size * bins;
  if (total === 0) return { slope, mid };
  gpu.run({
    name: "soft_bin_terms",
    key: "s",
    source: () => `
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> slope: array<f32>;
@group(0) @binding(2) var<storage, read_write> mid: array<f32>;
struct P { total: u32, bins: u32, inv_var: f32 }
@group(0) @binding(3) var<uniform> p: P;
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let gi = (wid.x + wid.y * nwg.x) * ${WG}u + lid;
  if (gi >= p.total) { return; }
  let v = src[gi / p.bins];
  let kf = f32(p.bins);
  let j = clamp(floor(v * kf), 0.0, kf - 1.0);
  let u = (j + 0.5) / kf;
  let ck = (f32(gi % p.bins) + 0.5) / kf;
  slope[gi] = (ck - u) * p.inv_var;
  mid[gi] = 0.5 * (u + ck);
}`,
    buffers: [values, slope, mid],
    params: params().u32(total).u32(bins).f32(1 / (bandwidth * bandwidth)).build(),
    workgroups: grid1d(ceilDiv(total, WG)),
  });
  return { slope, mid };
}
