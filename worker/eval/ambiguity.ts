/**
 * How ambiguous a corruption leaves the hidden cells, measured on the data alone (issue 14): for
 * each query map, the k database maps nearest to it on its visible cells (Euclidean) are k
 * plausible completions. The L1 error on the hidden cells of their mean is about what a single
 * regressor output can reach; the error of the best of them is what the best of k samples could
 * reach. When the best of k is well below the mean (ratio < 1), the hidden part has several
 * distinct completions; near or above 1 it is one blurred mode, and no sampler's best of k can
 * beat a regressor by much. The reading needs many hidden cells (tens or more, as a masked part
 * of a spectral map has): over a few cells even independent noise around one mode lets the best
 * of k samples beat their mean.
 * @module
 */

/** Errors of the k-nearest-neighbour completions. */
export interface NeighbourAmbiguity {
  /** Mean L1 per hidden cell of the neighbours' mean. */
  mean_l1: number;
  /** Mean L1 per hidden cell of the best of the k neighbours (per query). */
  best_l1: number;
  /** Mean L1 per hidden cell of a single neighbour (averaged over the k). */
  single_l1: number;
  /** best_l1 / mean_l1. */
  ratio: number;
}

/**
 * Neighbour completions of `queries` ([q, cells]) whose cells with `hidden` ([q, cells]) = 1 are
 * unknown, from `database` ([n, cells]); cells with `valid` = 0 (padding) are ignored.
 */
export function neighbourAmbiguity(
  queries: Float32Array,
  hidden: Float32Array,
  database: Float32Array,
  valid: Float32Array,
  k: number,
): NeighbourAmbiguity {
  const cells = valid.length;
  const q = queries.length / cells, n = database.length / cells;
  let mean = 0, best = 0, single = 0, counted = 0;
  const dist = new Float64Array(n);
  for (let i = 0; i < q; i++) {
    const vis: number[] = [], hid: number[] = [];
    for (let c = 0; c < cells; c++) {
      if (valid[c] !== 0) (hidden[i * cells + c] !== 0 ? hid : vis).push(c);
    }
    if (hid.length === 0) continue;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (const c of vis) s += (queries[i * cells + c] - database[j * cells + c]) ** 2;
      dist[j] = s;
    }
    const near = Array.from({ length: n }, (_, j) => j).sort((a, b) => dist[a] - dist[b])
      .slice(0, Math.min(k, n));
    const error = (value: (c: number) => number) =>
      hid.reduce((s, c) => s + Math.abs(value(c) - queries[i * cells + c]), 0) / hid.length;
    mean += error((c) => near.reduce((s, j) => s + database[j * cells + c], 0) / near.length);
    const each = near.map((j) => error((c) => database[j * cells + c]));
    best += Math.min(...each);
    single += each.reduce((s, e) => s + e, 0) / each.length;
    counted++;
  }
  const avg = (x: number) => (counted > 0 ? x / counted : NaN);
  return {
    mean_l1: avg(mean),
    best_l1: avg(best),
    single_l1: avg(single),
    ratio: mean > 0 ? best / mean : NaN,
  };
}
