/**
 * Differentiable losses: L1 (mean or per sample) and softmax cross-entropy.
 */
import {
  l1Loss as kl1Loss,
  l1LossGrad,
  type L1Reduction,
  softmaxCrossEntropy as kce,
  softmaxCrossEntropyGrad,
  unary,
} from "../../gpu/kernels/mod.ts";
import type { Tape } from "../tape.ts";
import type { Tensor } from "../../gpu/mod.ts";

export type { L1Reduction };

/**
 * Mean absolute error between `pred` and `target` (same shapes, batch first): one value [1]
 * for "mean", or [B] (mean over each sample's elements) for "per_sample".
 */
export function l1Loss(
  tape: Tape,
  pred: Tensor,
  target: Tensor,
  reduction: L1Reduction = "mean",
): Tensor {
  const y = kl1Loss(pred, target, { reduction });
  return tape.record("l1Loss", [pred, target], y, (dy, needs) => {
    const dPred = l1LossGrad(pred, target, dy, { reduction });
    const dTarget = needs[1] ? unary("scale", dPred, { alpha: -1 }) : null;
    if (needs[0]) return [dPred, dTarget];
    dPred.dispose();
    return [null, dTarget];
  });
}

/**
 * Mean softmax cross-entropy [1] of `logits` [B, C] against class indices `labels` [B]
 * (stored as f32). Labels get no gradient.
 */
export function softmaxCrossEntropy(tape: Tape, logits: Tensor, labels: Tensor): Tensor {
  const y = kce(logits, labels);
  return tape.record("softmaxCrossEntropy", [logits, labels], y, (dy, needs) => [
    needs[0] ? softmaxCrossEntropyGrad(logits, labels, dy) : null,
    null,
  ]);
}
