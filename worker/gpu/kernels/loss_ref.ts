/** Float64 CPU references of the losses. */
import type { L1Reduction } from "./loss.ts";

/** `l1Loss` in float64: `[1]` or one mean per sample (first axis). */
export function l1LossRef(
  pred: ArrayLike<number>,
  target: ArrayLike<number>,
  shape: number[],
  reduction: L1Reduction,
): Float64Array {
  const rows = reduction === "per_sample" ? shape[0] : 1;
  const per = pred.length / rows;
  const out = new Float64Array(rows);
  for (let i = 0; i < pred.length; i++) out[Math.floor(i / per)] += Math.abs(pred[i] - target[i]);
  return out.map((v) => v / per);
}

/** `l1LossGrad` in float64. */
export function l1LossGradRef(
  pred: ArrayLike<number>,
  target: ArrayLike<number>,
  shape: number[],
  dLoss: ArrayLike<number>,
  reduction: L1Reduction,
): Float64Array {
  const rows = reduction === "per_sample" ? shape[0] : 1;
  const per = pred.length / rows;
  return Float64Array.from(
    pred,
    (p, i) => Math.sign(p - target[i]) * dLoss[Math.floor(i / per)] / per,
  );
}

/** Softmax of each row of `[rows, cls]` in float64. */
export function softmaxRef(x: ArrayLike<number>, rows: number, cls: number): Float64Array {
  const out = new Float64Array(rows * cls);
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    for (let c = 0; c < cls; c++) m = Math.max(m, x[r * cls + c]);
    let s = 0;
    for (let c = 0; c < cls; c++) s += Math.exp(x[r * cls + c] - m);
    for (let c = 0; c < cls; c++) out[r * cls + c] = Math.exp(x[r * cls + c] - m) / s;
  }
  return out;
}

/** Mean softmax cross-entropy of `[rows, cls]` logits against integer labels, in float64. */
export function softmaxCrossEntropyRef(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  rows: number,
  cls: number,
): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    for (let c = 0; c < cls; c++) m = Math.max(m, logits[r * cls + c]);
    let s = 0;
    for (let c = 0; c < cls; c++) s += Math.exp(logits[r * cls + c] - m);
    total += m + Math.log(s) - logits[r * cls + labels[r]];
  }
  return total / rows;
}

/** Gradient of {@link softmaxCrossEntropyRef} times `dLoss`, in float64. */
export function softmaxCrossEntropyGradRef(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  rows: number,
  cls: number,
  dLoss: number,
): Float64Array {
  const p = softmaxRef(logits, rows, cls);
  for (let r = 0; r < rows; r++) p[r * cls + labels[r]] -= 1;
  return p.map((v) => (v * dLoss) / rows);
}
