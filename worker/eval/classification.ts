/**
 * Scores of a classifier on labelled rows: accuracy, per-class accuracy and the confusion
 * matrix (rows = true class, columns = predicted).
 * @module
 */

/** The `classifier-metrics` artifact. */
export interface ClassifierMetrics {
  accuracy: number;
  train_accuracy: number;
  classes: string[];
  per_class: Record<string, number>;
  confusion: number[][];
  features: number;
  train: number;
  test: number;
  /** The L2 penalty λ the reported classifier was trained with. */
  l2: number;
  /**
   * How λ was chosen (absent with a single candidate): the train rows split into `folds`
   * stratified folds, the first `rounds` of them each held out once; `accuracy` per candidate
   * over the held-out rows.
   */
  selection?: { folds: number; rounds: number; l2: number[]; accuracy: number[] };
}

/** Share of `rows` whose label (`label[row]`) equals the prediction at the same position. */
export function accuracy(
  label: readonly number[],
  rows: readonly number[],
  predicted: readonly number[],
): number {
  return rows.filter((r, i) => label[r] === predicted[i]).length / rows.length;
}

/** Confusion matrix (rows = true class) and per-class accuracy (NaN for a class with no rows). */
export function confusionOf(
  classes: readonly string[],
  label: readonly number[],
  rows: readonly number[],
  predicted: readonly number[],
): { confusion: number[][]; perClass: Record<string, number> } {
  const confusion = classes.map(() => classes.map(() => 0));
  rows.forEach((r, i) => confusion[label[r]][predicted[i]]++);
  const perClass: Record<string, number> = {};
  classes.forEach((c, k) => {
    const total = confusion[k].reduce((a, b) => a + b, 0);
    perClass[c] = total > 0 ? confusion[k][k] / total : NaN;
  });
  return { confusion, perClass };
}
