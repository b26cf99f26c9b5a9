/**
 * The report of the map experiments (`report.html@1`): results.json (every model's metrics
 * keyed by model and metric) and one self-contained HTML page: the claims (the paper's, ours,
 * whether they hold: eval/claims.ts; one run is one seed), the model table, vega-lite charts
 * rendered to inline SVG (loss curves, linear accuracy, confusion matrix of the first classified
 * model), PNG data URIs of clean / corrupted / recovered maps with k-mode samples, 3-D
 * reconstructions of those maps and of cGML's first draws, and the pipeline's notes.
 * @module
 */
import {
  aggregateRuns,
  type ClassifierMetrics,
  type DenoiseMetrics,
  type LossCurves,
  spectralClaims,
} from "../eval/mod.ts";
import { encodePng } from "../lib/mod.ts";
import type { MapSet } from "../spectral/mod.ts";
import { claimsHtml, dataUri, escape, notesHtml, page, svg } from "./page.ts";
import { mapPoints, renderRows } from "./reconstruct.ts";

/** The `results` artifact of the map experiments. */
export interface Results {
  title: string;
  models: Record<string, Record<string, number>>;
}

/** Clean, corrupted and recovered maps (k draws each) of a few test inputs. */
export interface MapSamples {
  model: string;
  rows: number[];
  draws: number;
  height: number;
  width: number;
  /** [s, H·W] each. */
  clean: Float32Array;
  corrupted: Float32Array;
  changed: Float32Array;
  /** [s·draws, H·W]. */
  recovered: Float32Array;
}

/** What the report knows of one model (a row of the `models` table input). */
export interface ModelReport {
  name: string;
  curves?: LossCurves;
  denoise?: DenoiseMetrics;
  linear?: ClassifierMetrics;
  samples?: MapSamples;
}

/** Settings of {@link mapReport}. */
export interface MapReportOptions {
  title: string;
  /** Sample maps shown as 3-D reconstructions. */
  reconstructions: number;
  notes: string;
}

/** Columns of the model table, in order; a column no model has is left out. */
const COLUMNS = [
  "psnr",
  "psnr_best",
  "l1",
  "l1_best",
  "diversity",
  "modes_found",
  "map",
  "map_reconstruction",
  "linear_accuracy",
  "train_seconds",
] as const;

/** Blue-white-red PNG of maps side by side ([count, h, w] values, ±scale). */
export function mapStrip(maps: Float32Array[], h: number, w: number, scale: number, cell = 6) {
  const gap = 4;
  const width = maps.length * (w * cell + gap) - gap;
  const height = h * cell;
  const data = new Uint8Array(width * height * 3).fill(255);
  maps.forEach((m, t) => {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = Math.max(-1, Math.min(1, m[y * w + x] / scale));
        const rgb = v >= 0
          ? [255, Math.round(255 * (1 - v)), Math.round(255 * (1 - v))]
          : [Math.round(255 * (1 + v)), Math.round(255 * (1 + v)), 255];
        for (let dy = 0; dy < cell; dy++) {
          for (let dx = 0; dx < cell; dx++) {
            const o = ((y * cell + dy) * width + t * (w * cell + gap) + x * cell + dx) * 3;
            data.set(rgb, o);
          }
        }
      }
    }
  });
  return encodePng({ width, height, data });
}

/** The numbers results.json keeps of one model. */
export function resultRow(m: ModelReport): Record<string, number> {
  const row: Record<string, number> = {};
  if (m.curves) {
    row.train_seconds = m.curves.trainSeconds;
    row.final_loss = m.curves.epochs.at(-1)?.loss ?? NaN;
  }
  if (m.denoise) {
    for (const k of ["psnr", "psnr_best", "l1", "l1_best", "map", "diversity"] as const) {
      row[k] = m.denoise[k];
    }
    row.map_clean = m.denoise.map_clean;
    row.map_corrupted = m.denoise.map_corrupted;
    Object.assign(row, restorationRow(m.denoise));
  }
  if (m.linear) {
    row.linear_accuracy = m.linear.accuracy;
    row.linear_train_accuracy = m.linear.train_accuracy;
  }
  return row;
}

/** Builds results.json and the page. */
export async function mapReport(
  o: MapReportOptions,
  models: readonly ModelReport[],
  maps?: MapSet,
): Promise<{ html: string; results: Results }> {
  const results: Results = { title: o.title, models: {} };
  for (const m of models) results.models[m.name] = resultRow(m);
  const sampled = models.filter((m) => m.samples !== undefined);
  const sections = sampled.map((m) => sampleSection(m.name, m.samples!));
  const shapes = maps && sampled.length > 0 ? reconstructions(maps, sampled, o) : [];
  const cgml = sampled.find((m) => m.name === "cgml");
  const draws = maps && cgml ? cgmlDraws(maps, cgml.samples!) : "";
  const charts = await mapCharts(models, results);
  const claims = claimsHtml(spectralClaims(aggregateRuns([results.models])), {
    reconstructions: draws || (shapes[0] ?? ""),
    samples: draws || (sections[0] ?? ""),
    accuracy: charts.accuracy ?? "",
  });
  const html = page(
    o.title,
    `${claims}<h2>Models</h2>${modelTable(results)}
<p class="note">PSNR and L1 on the corrupted cells of the test maps (standardised units; PSNR peak =
range of the clean test values), mean over the k draws (psnr_best, l1_best: best of k); diversity:
mean per-cell std over the k draws. map: retrieval mAP of the denoised test maps (first draw)
against the clean train maps, relevant = same class. With eval.denoise's restoration measures:
modes_found, the groups the k draws form (RMS radius 0.5 on the corrupted cells);
map_reconstruction, our reading of the paper's Table 6: each draw queries the clean test maps on
its corrupted cells, the one relevant item being its own clean map (AP = 1 / rank).</p>
<h2>Charts</h2>${Object.values(charts).join("\n")}
<h2>Maps</h2>${sections.join("\n")}
${
      draws
        ? `<h2>Draws of cGML</h2><p class="note">Clean (blue), corrupted (grey), then the first
draws of cGML for the first sample (orange): different z₀ give different restorations when the
latent carries a mode.</p>${draws}`
        : ""
    }
${
      shapes.length > 0
        ? `<h2>3-D reconstructions</h2><p class="note">Rows: clean map (blue), corrupted map (grey),
then the first recovered draw of ${
          sampled.map((m) => escape(m.name)).join(", ")
        } (orange); columns: front, side and top views. Maps are de-standardised with the train
statistics and inverted (Zernike: the densest 6 % of a 32³ voxel ball; SH: the extent surface).</p>
${shapes.join("\n")}`
        : ""
    }
${notesHtml(o.notes)}`,
  );
  return { html, results };
}

/** The restoration measures of one model kept in results.json (when eval.denoise made them). */
function restorationRow(d: DenoiseMetrics): Record<string, number> {
  const row: Record<string, number> = {};
  if (d.modes_found === undefined) return row;
  row.modes_found = d.modes_found;
  row.map_reconstruction = d.map_reconstruction!;
  row.map_reconstruction_corrupted = d.map_reconstruction_corrupted!;
  if (d.oracle) {
    row.oracle_mean_l1 = d.oracle.mean_l1;
    row.oracle_best_l1 = d.oracle.best_l1;
  }
  if (d.half_turn) {
    row.half_turn_truth = d.half_turn.a;
    row.half_turn_turned = d.half_turn.b;
    row.half_turn_between = d.half_turn.between;
    row.half_turn_both = d.half_turn.both_modes;
  }
  return row;
}

/** 3-D reconstructions of cGML's first (up to 4) draws of its first sample; "" for one draw. */
function cgmlDraws(maps: MapSet, s: MapSamples): string {
  if (s.draws < 2 || s.rows.length === 0) return "";
  const cells = s.height * s.width;
  const rows = [
    mapPoints(maps, mapAt(s.clean, 0, cells)),
    mapPoints(maps, mapAt(s.corrupted, 0, cells)),
    ...Array.from(
      { length: Math.min(s.draws, 4) },
      (_, j) => mapPoints(maps, mapAt(s.recovered, j, cells)),
    ),
  ];
  return `<img alt="cgml draws" src="${dataUri(renderRows(rows))}">`;
}

/** Map `i` of `maps` ([n, cells]). */
function mapAt(maps: Float32Array, i: number, cells: number): Float32Array {
  return maps.slice(i * cells, (i + 1) * cells);
}

/** One model's sample maps: clean | corrupted | corrupted cells | the first 4 draws. */
function sampleSection(name: string, s: MapSamples): string {
  const cells = s.height * s.width;
  const shown = Math.min(s.draws, 4);
  const rows = s.rows.map((_, i) => {
    const maps = [
      mapAt(s.clean, i, cells),
      mapAt(s.corrupted, i, cells),
      mapAt(s.changed, i, cells),
      ...Array.from({ length: shown }, (_, j) => mapAt(s.recovered, i * s.draws + j, cells)),
    ];
    return `<img alt="${name} sample ${i}" src="${
      dataUri(mapStrip(maps, s.height, s.width, 2.5))
    }">`;
  });
  return `<h3>${
    escape(name)
  }</h3><p class="note">clean | corrupted | corrupted cells | first ${shown} of ${s.draws} recovered draws</p>${
    rows.join("<br>")
  }`;
}

/**
 * 3-D reconstructions of the first sampled model's clean and corrupted maps and of every
 * model's first draw, one image per sample.
 */
function reconstructions(
  maps: MapSet,
  sampled: readonly ModelReport[],
  o: MapReportOptions,
): string[] {
  const first = sampled[0].samples!;
  const cells = first.height * first.width;
  const count = Math.min(o.reconstructions, first.rows.length);
  return Array.from({ length: count }, (_, i) => {
    const rows = [
      mapPoints(maps, mapAt(first.clean, i, cells)),
      mapPoints(maps, mapAt(first.corrupted, i, cells)),
      ...sampled.map((m) =>
        mapPoints(maps, mapAt(m.samples!.recovered, i * m.samples!.draws, cells))
      ),
    ];
    return `<img alt="reconstruction ${i}" src="${dataUri(renderRows(rows))}">`;
  });
}

/** Loss curves, linear accuracy and the confusion matrix of the classified model shown. */
async function mapCharts(
  models: readonly ModelReport[],
  results: Results,
): Promise<{ curves?: string; accuracy?: string; confusion?: string }> {
  const charts: { curves?: string; accuracy?: string; confusion?: string } = {};
  const curves = models.flatMap((m) =>
    (m.curves?.epochs ?? []).map((e) => ({ model: m.name, epoch: e.epoch, loss: e.loss }))
  );
  if (curves.length > 0) {
    charts.curves = await svg({
      title: "Training loss (L1 on the map) per epoch",
      data: { values: curves },
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "epoch", type: "quantitative" },
        y: { field: "loss", type: "quantitative", scale: { zero: false } },
        color: { field: "model", type: "nominal" },
      },
      width: 480,
      height: 260,
    });
  }
  const acc = Object.entries(results.models).filter(([, r]) => r.linear_accuracy !== undefined);
  if (acc.length > 0) {
    charts.accuracy = await svg({
      title: "Linear accuracy on the test split",
      data: { values: acc.map(([model, r]) => ({ model, accuracy: r.linear_accuracy })) },
      mark: "bar",
      encoding: {
        x: { field: "model", type: "nominal", sort: null },
        y: { field: "accuracy", type: "quantitative", scale: { domain: [0, 1] } },
      },
      width: 300,
      height: 220,
    });
  }
  const classified = models.filter((m) => m.linear !== undefined);
  const shown = classified.find((m) => m.name === "cgml") ?? classified[0];
  if (shown) charts.confusion = await confusionChart(shown.name, shown.linear!);
  return charts;
}

/** The confusion matrix of one model's features as a heat map. */
function confusionChart(model: string, metrics: ClassifierMetrics): Promise<string> {
  const { classes, confusion } = metrics;
  return svg({
    title: `Confusion matrix (${model} features)`,
    data: {
      values: confusion.flatMap((row, i) =>
        row.map((count, j) => ({ truth: classes[i], predicted: classes[j], count }))
      ),
    },
    mark: "rect",
    encoding: {
      x: { field: "predicted", type: "nominal", sort: classes },
      y: { field: "truth", type: "nominal", sort: classes },
      color: { field: "count", type: "quantitative", scale: { scheme: "blues" } },
    },
    width: 320,
    height: 320,
  });
}

/** The model table of the page. */
function modelTable(results: Results): string {
  const fmt = (v: number | undefined, k: string) =>
    v === undefined || !Number.isFinite(v)
      ? "–"
      : k.includes("accuracy") || k.startsWith("map")
      ? `${(100 * v).toFixed(1)} %`
      : v.toFixed(k === "train_seconds" ? 0 : 3);
  const rows = Object.values(results.models);
  const columns = COLUMNS.filter((c) => rows.some((r) => r[c] !== undefined));
  return `<table><tr><th>model</th>${columns.map((c) => `<th>${c}</th>`).join("")}</tr>${
    Object.entries(results.models).map(([name, r]) =>
      `<tr><td>${escape(name)}</td>${columns.map((c) => `<td>${fmt(r[c], c)}</td>`).join("")}</tr>`
    ).join("")
  }</table>`;
}
