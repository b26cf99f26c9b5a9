/**
 * The modes among the k draws of one input (Eq. 4 with k different z₀ gives up to k of them):
 * single-linkage clustering by RMS distance — two draws whose root-mean-square difference over
 * the kept values is at most `tolerance` belong to one mode, and so does everything linked to
 * them. Modes are numbered by decreasing size (ties: the mode of the earlier draw first); a
 * mode's spread is the RMS distance of its draws to their mean.
 * @module
 */

/** The modes of one input's draws. */
export interface DrawModes {
  /** Mode index of each draw. */
  mode: number[];
  /** Draws per mode. */
  sizes: number[];
  /** RMS distance of each mode's draws to the mode's mean. */
  spread: number[];
}

/**
 * Clusters `k` draws of `dim` values each (`draws` [k, dim]); `keep` ([dim], optional) marks
 * the values that count (1) — a map's valid cells.
 */
export function drawModes(
  draws: Float32Array,
  k: number,
  dim: number,
  tolerance: number,
  keep?: ArrayLike<number>,
): DrawModes {
  const kept = keep === undefined
    ? Array.from({ length: dim }, (_, c) => c)
    : Array.from({ length: dim }, (_, c) => c).filter((c) => keep[c] !== 0);
  const n = Math.max(1, kept.length);
  const parent = Array.from({ length: k }, (_, i) => i);
  const root = (i: number): number => parent[i] === i ? i : (parent[i] = root(parent[i]));
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      if (root(a) === root(b)) continue;
      let s = 0;
      for (const c of kept) {
        const d = draws[a * dim + c] - draws[b * dim + c];
        s += d * d;
      }
      if (Math.sqrt(s / n) <= tolerance) parent[root(b)] = root(a);
    }
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < k; i++) groups.set(root(i), [...groups.get(root(i)) ?? [], i]);
  const ordered = [...groups.values()].sort((a, b) => b.length - a.length || a[0] - b[0]);
  const mode = new Array<number>(k);
  const spread = ordered.map((members, m) => {
    for (const i of members) mode[i] = m;
    let s = 0;
    for (const c of kept) {
      let mean = 0;
      for (const i of members) mean += draws[i * dim + c] / members.length;
      for (const i of members) s += (draws[i * dim + c] - mean) ** 2;
    }
    return Math.sqrt(s / (n * members.length));
  });
  return { mode, sizes: ordered.map((m) => m.length), spread };
}
