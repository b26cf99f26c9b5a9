/**
 * "Did you mean" suggestions for misspelt names (keys, stage ids, stage types, outputs).
 *
 * @module
 */

/** Damerau–Levenshtein (optimal string alignment) distance between two strings. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = new Array<number>(rows * cols);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(
        d[(i - 1) * cols + j] + 1,
        d[i * cols + j - 1] + 1,
        d[(i - 1) * cols + j - 1] + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, d[(i - 2) * cols + j - 2] + 1);
      }
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1];
}

/**
 * The candidate closest to `name`, or `undefined` when none is close enough.
 *
 * A candidate qualifies when it equals `name` ignoring case, or when its edit distance is at most
 * 40 % of the longer name (at least 1) and smaller than both lengths.
 */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const distance = candidate.toLowerCase() === lower
      ? 0
      : editDistance(lower, candidate.toLowerCase());
    const limit = Math.max(1, Math.ceil(0.4 * Math.max(name.length, candidate.length)));
    if (distance > limit || distance >= Math.min(name.length, candidate.length)) continue;
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** `' (did you mean "x"?)'` for the closest candidate, or `""` when none is close. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const best = closest(name, candidates);
  return best === undefined ? "" : ` (did you mean "${best}"?)`;
}
