/**
 * Scores of a map denoiser on fixed corrupted test maps: L1 and PSNR over the corrupted cells
 * (mean over the k draws, and best of k), the spread of the draws, and retrieval mAP — each
 * denoised test map (first draw) queries the clean train maps by Euclidean distance over valid
 * cells, relevant = same class. The mAP of the corrupted and of the clean test maps are
 * references. PSNR uses the range of the clean test values (valid cells) as the peak.
 * {@link restorationMeasures} adds, on request, what issue 14 measures of k restorations: the
 * modes the draws form, the reconstruction mAP, where the draws land between two known modes,
 * and what the data allows (the nearest train maps as completions: ambiguity.ts).
 * @module
 */
import { gatherRows, INPUT_CHANNELS } from "../data/mod.ts";
import { type NeighbourAmbiguity, neighbourAmbiguity } from "./ambiguity.ts";
import { modesFound, reconstructionMap, type TwoModeStats, twoModeStats } from "./restoration.ts";

/** The `denoise-metrics` artifact (the restoration measures only with `restoration` on). */
export interface DenoiseMetrics extends Partial<RestorationMetrics> {
  model: string;
  psnr: number;
  l1: number;
  psnr_best: number;
  l1_best: number;
  map: number;
  map_corrupted: number;
  map_clean: number;
  draws: number;
  /** Mean per-cell std over the k draws on corrupted cells (0 for deterministic models). */
  diversity: number;
  seconds: number;
}

/** What {@link restorationMeasures} adds to the `denoise-metrics` artifact. */
export interface RestorationMetrics {
  /** Mean number of groups the k draws form (RMS radius {@link MODE_RADIUS}, corrupted cells). */
  modes_found: number;
  /** Reconstruction mAP of the draws (restoration.ts), and of the corrupted input. */
  map_reconstruction: number;
  map_reconstruction_corrupted: number;
  /** With a second known mode (mask odd_m: the half-turned map): where the draws land. */
  half_turn?: TwoModeStats;
  /** The k train maps nearest on the uncorrupted cells as completions (ambiguity.ts). */
  oracle: NeighbourAmbiguity;
}

/** RMS distance (standardised units, corrupted cells) within which two draws are one mode. */
export const MODE_RADIUS = 0.5;
/** Inputs whose two known modes differ by less (RMS) are not scored for modes. */
export const HALF_TURN_MIN_SEPARATION = 0.25;

/** Clean maps with labels and split (a map set). */
export interface LabelledMaps {
  /** [N, cells]. */
  values: Float32Array;
  /** [cells]. */
  valid: Float32Array;
  labels: Int32Array;
  split: Int32Array;
}

/** Fixed corrupted test maps: their rows, network inputs [m, cells, 3] and changed cells. */
export interface CorruptedMaps {
  rows: readonly number[];
  inputs: Float32Array;
  changed: Float32Array;
}

/** Scores and the arrays the samples artifact keeps. */
export interface DenoiseEvaluation {
  metrics: Omit<DenoiseMetrics, "model" | "seconds">;
  /** Clean test maps [m, cells]. */
  clean: Float32Array;
  /** Corrupted test values [m, cells]. */
  corrupted: Float32Array;
}

/** Scores `out` ([m·k, cells], k draws per test input, draw-major within an input). */
export function evaluateDenoising(
  maps: LabelledMaps,
  test: CorruptedMaps,
  out: Float32Array,
  k: number,
): DenoiseEvaluation {
  const cells = maps.valid.length;
  const m = test.rows.length;
  const clean = gatherRows(maps.values, cells, test.rows);
  const e = drawErrors(clean, maps.valid, test.changed, out, k);
  const psnr = (mse: number) => 10 * Math.log10((e.peak * e.peak) / Math.max(mse, 1e-12));
  const queries = new Float32Array(m * cells);
  const corrupted = new Float32Array(m * cells);
  for (let i = 0; i < m; i++) {
    queries.set(out.subarray(i * k * cells, (i * k + 1) * cells), i * cells);
    for (let c = 0; c < cells; c++) {
      corrupted[i * cells + c] = test.inputs[(i * cells + c) * INPUT_CHANNELS];
    }
  }
  const trainRows: number[] = [];
  maps.split.forEach((s, i) => s === 0 && trainRows.push(i));
  const database = gatherRows(maps.values, cells, trainRows);
  const qLabels = test.rows.map((r) => maps.labels[r]);
  const dbLabels = trainRows.map((r) => maps.labels[r]);
  const mapOf = (qs: Float32Array) => retrievalMap(qs, qLabels, database, dbLabels, maps.valid);
  return {
    metrics: {
      psnr: psnr(e.se / Math.max(e.count, 1)),
      l1: e.ae / Math.max(e.count, 1),
      psnr_best: psnr(e.seBest / Math.max(e.countBest, 1)),
      l1_best: e.aeBest / Math.max(e.countBest, 1),
      map: mapOf(queries),
      map_corrupted: mapOf(corrupted),
      map_clean: mapOf(clean),
      draws: k,
      diversity: e.spread / Math.max(e.count / k, 1),
    },
    clean,
    corrupted,
  };
}

/**
 * The restoration measures of `out` ([m·k, cells]) on `test`, with `evaluation` the result of
 * {@link evaluateDenoising} on the same draws; `secondMode` ([m, cells]) is the other known
 * completion of each test map (the half-turned map under mask odd_m), when there is one.
 */
export function restorationMeasures(
  maps: LabelledMaps,
  test: CorruptedMaps,
  out: Float32Array,
  k: number,
  evaluation: Pick<DenoiseEvaluation, "clean" | "corrupted">,
  secondMode?: Float32Array,
): RestorationMetrics {
  const cells = maps.valid.length;
  const m = test.rows.length;
  const { clean, corrupted } = evaluation;
  const trainRows: number[] = [];
  maps.split.forEach((s, i) => s === 0 && trainRows.push(i));
  const measures: RestorationMetrics = {
    modes_found: modesFound(out, test.changed, { draws: k, cells, radius: MODE_RADIUS }),
    map_reconstruction: reconstructionMap(
      out,
      Array.from({ length: m * k }, (_, j) => Math.floor(j / k)),
      clean,
      test.changed,
      cells,
    ),
    map_reconstruction_corrupted: reconstructionMap(
      corrupted,
      Array.from({ length: m }, (_, i) => i),
      clean,
      test.changed,
      cells,
    ),
    oracle: neighbourAmbiguity(
      clean,
      test.changed,
      gatherRows(maps.values, cells, trainRows),
      maps.valid,
      k,
    ),
  };
  if (secondMode) {
    measures.half_turn = twoModeStats(out, clean, secondMode, test.changed, {
      draws: k,
      cells,
      minSeparation: HALF_TURN_MIN_SEPARATION,
    });
  }
  return measures;
}

/**
 * The PSNR peak (range of the clean values on valid cells) and the sums of squared and absolute
 * errors on changed cells, over all draws and of the best draw per input, and of the draws' std.
 */
function drawErrors(
  clean: Float32Array,
  valid: Float32Array,
  changed: Float32Array,
  out: Float32Array,
  k: number,
) {
  const cells = valid.length;
  const m = clean.length / cells;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < m; i++) {
    for (let c = 0; c < cells; c++) {
      if (valid[c] === 0) continue;
      lo = Math.min(lo, clean[i * cells + c]);
      hi = Math.max(hi, clean[i * cells + c]);
    }
  }
  let se = 0, ae = 0, count = 0, seBest = 0, aeBest = 0, countBest = 0, spread = 0;
  for (let i = 0; i < m; i++) {
    let best = Infinity, bestAe = 0, n = 0;
    for (let j = 0; j < k; j++) {
      let s = 0, a = 0;
      n = 0;
      for (let c = 0; c < cells; c++) {
        if (changed[i * cells + c] === 0) continue;
        const d = out[(i * k + j) * cells + c] - clean[i * cells + c];
        s += d * d;
        a += Math.abs(d);
        n++;
      }
      se += s;
      ae += a;
      count += n;
      if (s < best) [best, bestAe] = [s, a];
    }
    seBest += best === Infinity ? 0 : best;
    aeBest += bestAe;
    countBest += n;
    for (let c = 0; c < cells; c++) {
      if (changed[i * cells + c] === 0) continue;
      let mu = 0, sq = 0;
      for (let j = 0; j < k; j++) mu += out[(i * k + j) * cells + c] / k;
      for (let j = 0; j < k; j++) sq += (out[(i * k + j) * cells + c] - mu) ** 2 / k;
      spread += Math.sqrt(sq);
    }
  }
  return { peak: hi - lo, se, ae, count, seBest, aeBest, countBest, spread };
}

/** Mean average precision of `queries` ([q, cells]) against `database` ([n, cells]). */
export function retrievalMap(
  queries: Float32Array,
  queryLabels: ArrayLike<number>,
  database: Float32Array,
  dbLabels: ArrayLike<number>,
  valid: Float32Array,
): number {
  const cells = valid.length;
  const q = queries.length / cells;
  const n = database.length / cells;
  let total = 0;
  const dist = new Float64Array(n);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < q; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < cells; k++) {
        if (valid[k] === 0) continue;
        const d = queries[i * cells + k] - database[j * cells + k];
        s += d * d;
      }
      dist[j] = s;
    }
    order.sort((a, b) => dist[a] - dist[b]);
    let hits = 0, ap = 0;
    order.forEach((j, rank) => {
      if (dbLabels[j] === queryLabels[i]) {
        hits++;
        ap += hits / (rank + 1);
      }
    });
    total += hits > 0 ? ap / hits : 0;
  }
  return q > 0 ? total / q : NaN;
}
