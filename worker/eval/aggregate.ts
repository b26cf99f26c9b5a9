/**
 * Error bars over seeds (issue 14): the results of several runs of one pipeline (one per seed)
 * reduced to mean ± std per number, and the rule that decides whether a comparison or a
 * threshold claim is supported by the interval.
 *
 * - std is the sample standard deviation (n − 1 in the denominator); one seed gives std 0 and
 *   no verdict ("untested").
 * - A comparison of a with b on a measure where `better` is "lower" or "higher": the margin is
 *   mean(a) − mean(b), signed so that positive favours a; the spread is the larger of the two
 *   seed-to-seed stds. a is "ahead" when margin > spread, "behind" when −margin > spread, and
 *   "tied" otherwise.
 * - A threshold claim (value ≥ or ≤ a bound): "holds" when every seed meets it, "fails" when the
 *   mean does not, "mixed" when the mean does but some seed does not.
 * @module
 */

/** Mean ± std of one number over seeds. */
export interface Interval {
  mean: number;
  std: number;
  /** Seeds that gave a finite value. */
  n: number;
  /** The per-seed values (finite ones, in run order). */
  values: number[];
}

/** A results object: numbers, possibly nested under string keys. */
export type NestedNumbers = { [key: string]: number | string | NestedNumbers };

/** A results object with every number replaced by its interval over seeds. */
export type NestedIntervals = { [key: string]: Interval | NestedIntervals };

/** Mean and sample std of the finite `values`. */
export function meanStd(values: readonly number[]): Interval {
  const v = values.filter(Number.isFinite);
  const n = v.length;
  const mean = n > 0 ? v.reduce((s, x) => s + x, 0) / n : NaN;
  const std = n > 1 ? Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)) : n ? 0 : NaN;
  return { mean, std, n, values: v };
}

/** True for an {@link Interval} (as opposed to a nested level). */
export function isInterval(x: Interval | NestedIntervals | undefined): x is Interval {
  return x !== undefined && typeof (x as Interval).mean === "number" &&
    Array.isArray((x as Interval).values);
}

/**
 * Mean ± std of every number found at the same key path in `runs` (one results object per
 * seed); strings are dropped; a number missing from some runs is averaged over the runs that
 * have it.
 */
export function aggregateRuns(runs: readonly NestedNumbers[]): NestedIntervals {
  const collect = (level: readonly NestedNumbers[]): NestedIntervals => {
    const keys = [...new Set(level.flatMap((r) => Object.keys(r)))];
    const out: NestedIntervals = {};
    for (const key of keys) {
      const here = level.map((r) => r[key]).filter((v) => v !== undefined);
      const numbers = here.filter((v): v is number => typeof v === "number");
      const nested = here.filter((v): v is NestedNumbers => typeof v === "object" && v !== null);
      if (numbers.length > 0) out[key] = meanStd(numbers);
      else if (nested.length > 0) out[key] = collect(nested);
    }
    return out;
  };
  return collect(runs);
}

/** The interval at a key path, or undefined. */
export function intervalAt(
  results: NestedIntervals,
  path: readonly string[],
): Interval | undefined {
  let at: Interval | NestedIntervals | undefined = results;
  for (const key of path) {
    if (at === undefined || isInterval(at)) return undefined;
    at = at[key];
  }
  return isInterval(at) ? at : undefined;
}

/** "24.31 ± 0.12" (n > 1) or "24.31"; `scale` multiplies first (100 for percentages). */
export function formatInterval(i: Interval | undefined, digits = 3, scale = 1): string {
  if (!i || !Number.isFinite(i.mean)) return "–";
  const mean = (i.mean * scale).toFixed(digits);
  return i.n > 1 ? `${mean} ± ${(i.std * scale).toFixed(digits)}` : mean;
}

/** Which direction of a measure is better. */
export type Better = "lower" | "higher";

/** The verdict of a comparison (see the module doc). */
export interface Comparison {
  verdict: "ahead" | "behind" | "tied" | "untested";
  /** mean(a) − mean(b), signed so that positive favours a. */
  margin: number;
  /** The larger seed-to-seed std. */
  spread: number;
  /** Seeds behind the smaller of the two intervals. */
  n: number;
}

/** Compares a with b on a measure where `better` values win (see the module doc). */
export function compareIntervals(a: Interval, b: Interval, better: Better): Comparison {
  const sign = better === "higher" ? 1 : -1;
  const margin = sign * (a.mean - b.mean);
  const spread = Math.max(a.std, b.std);
  const n = Math.min(a.n, b.n);
  const verdict = n < 2 || !Number.isFinite(margin)
    ? "untested"
    : margin > spread
    ? "ahead"
    : -margin > spread
    ? "behind"
    : "tied";
  return { verdict, margin, spread, n };
}

/** The verdict of a threshold claim (see the module doc). */
export type ThresholdVerdict = "holds" | "fails" | "mixed" | "untested";

/** Checks `interval` against a bound: every value ≥ `atLeast` and/or ≤ `atMost`. */
export function thresholdVerdict(
  interval: Interval | undefined,
  bound: { atLeast?: number; atMost?: number },
): ThresholdVerdict {
  if (!interval || interval.n === 0) return "untested";
  const ok = (v: number) =>
    (bound.atLeast === undefined || v >= bound.atLeast) &&
    (bound.atMost === undefined || v <= bound.atMost);
  if (!ok(interval.mean)) return "fails";
  return interval.values.every(ok) ? "holds" : "mixed";
}
