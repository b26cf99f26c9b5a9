/**
 * `eval.denoise@1`: on the fixed corrupted test maps, L1 and PSNR over the corrupted cells
 * (mean over the k draws, and best of k), and retrieval mAP: each denoised test map (first
 * draw) queries the clean train maps by Euclidean distance over valid cells, relevant = same
 * class. The mAP of the corrupted and of the clean test maps are reported as references.
 * PSNR uses the range of the clean test values (valid cells) as the peak.
 * @module
 */
import type { evalDenoise, StageParams } from "../../pipelines/mod.ts";
import { encodeJson, pack } from "./artifacts.ts";
import { INPUT_CHANNELS, readCorrupted } from "./corrupt.ts";
import { decodeMapModel, evaluationDraws, gatherRows } from "./map_model.ts";
import { readMapSet, splitRows } from "./spectral_maps.ts";
import { paramsOf, type StageImpl } from "./types.ts";

/** The `denoise-metrics` artifact. */
export interface DenoiseMetrics {
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

/** Evaluates one denoiser. */
export const run: StageImpl = async (ctx) => {
  const p = paramsOf<StageParams<typeof evalDenoise>>(ctx);
  const maps = readMapSet(await ctx.input("maps"));
  const test = readCorrupted(await ctx.input("corrupted"));
  const gpu = await ctx.gpu();
  const model = decodeMapModel(gpu, await ctx.input("model"));
  const start = performance.now();
  try {
    const cells = maps.valid.length;
    const k = p.k;
    const m = test.rows.length;
    const out = await evaluationDraws(ctx, model, test.inputs, m, p);
    const clean = gatherRows(maps.values, cells, test.rows);
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < m; i++) {
      for (let c = 0; c < cells; c++) {
        if (maps.valid[c] === 0) continue;
        lo = Math.min(lo, clean[i * cells + c]);
        hi = Math.max(hi, clean[i * cells + c]);
      }
    }
    const peak = hi - lo;
    let se = 0, ae = 0, count = 0, seBest = 0, aeBest = 0, countBest = 0, spread = 0;
    for (let i = 0; i < m; i++) {
      let best = Infinity, bestAe = 0, n = 0;
      for (let j = 0; j < k; j++) {
        let s = 0, a = 0;
        n = 0;
        for (let c = 0; c < cells; c++) {
          if (test.changed[i * cells + c] === 0) continue;
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
        if (test.changed[i * cells + c] === 0) continue;
        let mu = 0, sq = 0;
        for (let j = 0; j < k; j++) mu += out[(i * k + j) * cells + c] / k;
        for (let j = 0; j < k; j++) sq += (out[(i * k + j) * cells + c] - mu) ** 2 / k;
        spread += Math.sqrt(sq);
      }
    }
    const psnr = (mse: number) => 10 * Math.log10((peak * peak) / Math.max(mse, 1e-12));
    const queries = new Float32Array(m * cells);
    const corruptedValues = new Float32Array(m * cells);
    for (let i = 0; i < m; i++) {
      queries.set(out.subarray(i * k * cells, (i * k + 1) * cells), i * cells);
      for (let c = 0; c < cells; c++) {
        corruptedValues[i * cells + c] = test.inputs[(i * cells + c) * INPUT_CHANNELS];
      }
    }
    const trainRows = splitRows(maps, 0);
    const database = gatherRows(maps.values, cells, trainRows);
    const qLabels = test.rows.map((r) => maps.labels[r]);
    const dbLabels = trainRows.map((r) => maps.labels[r]);
    const mapOf = (qs: Float32Array) => retrievalMap(qs, qLabels, database, dbLabels, maps.valid);
    const metrics: DenoiseMetrics = {
      model: model.kind,
      psnr: psnr(se / Math.max(count, 1)),
      l1: ae / Math.max(count, 1),
      psnr_best: psnr(seBest / Math.max(countBest, 1)),
      l1_best: aeBest / Math.max(countBest, 1),
      map: mapOf(queries),
      map_corrupted: mapOf(corruptedValues),
      map_clean: mapOf(clean),
      draws: k,
      diversity: spread / Math.max(count / k, 1),
      seconds: (performance.now() - start) / 1000,
    };
    const s = Math.min(p.samples, m);
    return {
      metrics: encodeJson(metrics),
      samples: pack(
        {
          model: model.kind,
          rows: test.rows.slice(0, s),
          draws: k,
          height: maps.meta.height,
          width: maps.meta.width,
        },
        {
          clean: clean.slice(0, s * cells),
          corrupted: corruptedValues.slice(0, s * cells),
          changed: test.changed.slice(0, s * cells),
          recovered: out.slice(0, s * k * cells),
        },
      ),
    };
  } finally {
    model.model.dispose();
  }
};
