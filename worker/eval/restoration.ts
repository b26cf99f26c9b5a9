/**
 * Measures of k restorations per input (issue 14), on the scored cells of each input (the
 * corrupted ones): how many distinct modes the k draws form, where they land between two known
 * modes, and the reconstruction mAP.
 *
 * - Modes found: the k draws of an input are grouped greedily (a draw joins the first group
 *   whose first draw is within `radius` RMS over the scored cells, else opens a group); the
 *   count of groups, averaged over the inputs. A regressor gives 1.
 * - Two known modes A (the truth) and B (e.g. the truth turned half about z): a draw y is placed
 *   by t = ⟨y − B, A − B⟩ / ‖A − B‖² over the scored cells (t = 1 at A, 0 at B) and counted as
 *   A when t ≥ 1 − τ, B when t ≤ τ, between otherwise (τ = 0.25, as the box modes of Fig. 5).
 *   Inputs whose modes differ by less than `minSeparation` RMS are skipped (A ≈ B: nothing to
 *   tell apart).
 * - Reconstruction mAP (our reading of the paper's Table 6): every restored map is a query
 *   against the clean maps of all test inputs, by Euclidean distance over the query's scored
 *   cells; the one relevant item is the query's own clean map, so its AP is 1 / rank. The mean
 *   over all queries (every draw of every input) is the mAP: 1 when each restoration is nearer
 *   to its own shape than to every other test shape on the restored cells.
 * @module
 */

/** Where the draws land between two known modes. */
export interface TwoModeStats {
  /** Share of the draws near mode A (the truth). */
  a: number;
  /** Share of the draws near mode B. */
  b: number;
  /** Share of the draws near neither. */
  between: number;
  /** Share of the inputs whose k draws include both an A and a B draw. */
  both_modes: number;
  /** Mean t over the draws (0.5 = the midpoint, e.g. a regressor's average). */
  mean_t: number;
  /** Inputs scored (A and B at least minSeparation apart). */
  inputs: number;
}

/** Shapes of the arrays of one evaluation: m inputs, k draws, cells per map. */
export interface DrawLayout {
  /** Draws per input (draw-major within an input). */
  draws: number;
  /** Cells per map. */
  cells: number;
}

function scoredCells(scored: Float32Array, i: number, cells: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < cells; c++) if (scored[i * cells + c] !== 0) out.push(c);
  return out;
}

function rms(a: Float32Array, ao: number, b: Float32Array, bo: number, cells: number[]): number {
  if (cells.length === 0) return 0;
  let s = 0;
  for (const c of cells) s += (a[ao + c] - b[bo + c]) ** 2;
  return Math.sqrt(s / cells.length);
}

/**
 * Mean number of groups the k draws of each input form (see the module doc), over the inputs
 * that have scored cells. `draws` is [m·k, cells], `scored` [m, cells].
 */
export function modesFound(
  draws: Float32Array,
  scored: Float32Array,
  layout: DrawLayout & { radius: number },
): number {
  const { draws: k, cells, radius } = layout;
  const m = scored.length / cells;
  let total = 0, inputs = 0;
  for (let i = 0; i < m; i++) {
    const on = scoredCells(scored, i, cells);
    if (on.length === 0) continue;
    const leaders: number[] = [];
    for (let j = 0; j < k; j++) {
      const at = (i * k + j) * cells;
      if (!leaders.some((l) => rms(draws, at, draws, l, on) <= radius)) leaders.push(at);
    }
    total += leaders.length;
    inputs++;
  }
  return inputs > 0 ? total / inputs : NaN;
}

/**
 * Shares of the draws near mode A, near mode B and between (see the module doc). `draws` is
 * [m·k, cells]; `a`, `b` and `scored` are [m, cells].
 */
export function twoModeStats(
  draws: Float32Array,
  a: Float32Array,
  b: Float32Array,
  scored: Float32Array,
  layout: DrawLayout & { minSeparation: number; tolerance?: number },
): TwoModeStats {
  const { draws: k, cells, minSeparation } = layout;
  const tol = layout.tolerance ?? 0.25;
  const m = a.length / cells;
  let nearA = 0, nearB = 0, between = 0, count = 0, sumT = 0, both = 0, inputs = 0;
  for (let i = 0; i < m; i++) {
    const on = scoredCells(scored, i, cells);
    if (on.length === 0 || rms(a, i * cells, b, i * cells, on) < minSeparation) continue;
    inputs++;
    let norm = 0;
    for (const c of on) norm += (a[i * cells + c] - b[i * cells + c]) ** 2;
    let sawA = false, sawB = false;
    for (let j = 0; j < k; j++) {
      const at = (i * k + j) * cells;
      let dot = 0;
      for (const c of on) {
        dot += (draws[at + c] - b[i * cells + c]) * (a[i * cells + c] - b[i * cells + c]);
      }
      const t = dot / norm;
      sumT += t;
      count++;
      if (t >= 1 - tol) {
        nearA++;
        sawA = true;
      } else if (t <= tol) {
        nearB++;
        sawB = true;
      } else {
        between++;
      }
    }
    if (sawA && sawB) both++;
  }
  const share = (x: number) => (count > 0 ? x / count : NaN);
  return {
    a: share(nearA),
    b: share(nearB),
    between: share(between),
    both_modes: inputs > 0 ? both / inputs : NaN,
    mean_t: share(sumT),
    inputs,
  };
}

/**
 * Reconstruction mAP (see the module doc): `queries` [q, cells] restored maps, `queryOf[j]` the
 * input (row of `clean`, [m, cells]) query j restores, `scored` [m, cells] the cells compared.
 * Ties are ranked against the query (the own map ranks after equally distant others).
 */
export function reconstructionMap(
  queries: Float32Array,
  queryOf: ArrayLike<number>,
  clean: Float32Array,
  scored: Float32Array,
  cells: number,
): number {
  const q = queries.length / cells, m = clean.length / cells;
  if (q === 0) return NaN;
  let total = 0;
  for (let j = 0; j < q; j++) {
    const own = queryOf[j];
    const on = scoredCells(scored, own, cells);
    const d = (r: number) => rms(queries, j * cells, clean, r * cells, on);
    const mine = d(own);
    let rank = 1;
    for (let r = 0; r < m; r++) if (r !== own && d(r) <= mine) rank++;
    total += 1 / rank;
  }
  return total / q;
}
