/**
 * `report.html@1`: results.json (every model's metrics keyed by model and metric) and one
 * self-contained HTML page: the model table, vega-lite charts rendered to inline SVG (loss
 * curves, linear accuracy, confusion matrix of the first classified model), PNG data URIs of
 * clean / corrupted / recovered maps with k-mode samples, 3-D reconstructions of those maps, and
 * the pipeline's notes.
 * @module
 */
import type { reportHtml, StageParams } from "../../pipelines/mod.ts";
import { decodeJson, encodeJson, f32, unpack } from "./artifacts.ts";
import type { ClassifierMetrics } from "./classifier_linear.ts";
import type { LossCurves } from "./curves.ts";
import type { DenoiseMetrics } from "./eval_denoise.ts";
import { mapPoints, renderRows } from "./reconstruct.ts";
import { readMapSet } from "./spectral_maps.ts";
import { dataUri, escape, notesHtml, page, svg } from "./report_page.ts";
import { paramsOf, type StageImpl } from "./types.ts";
import { encodePng } from "../lib/mod.ts";

/** The `results` artifact. */
export interface Results {
  title: string;
  models: Record<string, Record<string, number>>;
}

const COLUMNS = ["psnr", "psnr_best", "l1", "map", "linear_accuracy", "train_seconds"] as const;

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

/** Builds the report. */
export const run: StageImpl = async (ctx) => {
  const p = paramsOf<StageParams<typeof reportHtml>>(ctx);
  const names = [
    ...new Set(ctx.inputs.filter((i) => i.startsWith("models.")).map((i) => i.split(".")[1])),
  ];
  const read = async <T>(path: string) =>
    ctx.inputs.includes(path) ? decodeJson<T>(await ctx.input(path)) : undefined;
  const results: Results = { title: p.title, models: {} };
  const curves: { model: string; epoch: number; loss: number }[] = [];
  let confusion: { model: string; metrics: ClassifierMetrics } | undefined;
  const sections: string[] = [];
  const shown: {
    name: string;
    clean: Float32Array[];
    corrupted: Float32Array[];
    first: Float32Array[];
  }[] = [];
  for (const name of names) {
    const row: Record<string, number> = {};
    const c = await read<LossCurves>(`models.${name}.curves`);
    if (c) {
      for (const e of c.epochs) curves.push({ model: name, epoch: e.epoch, loss: e.loss });
      row.train_seconds = c.trainSeconds;
      row.final_loss = c.epochs.at(-1)?.loss ?? NaN;
    }
    const d = await read<DenoiseMetrics>(`models.${name}.denoise`);
    if (d) {
      for (const k of ["psnr", "psnr_best", "l1", "l1_best", "map", "diversity"] as const) {
        row[k] = d[k];
      }
      row.map_clean = d.map_clean;
      row.map_corrupted = d.map_corrupted;
    }
    const l = await read<ClassifierMetrics>(`models.${name}.linear`);
    if (l) {
      row.linear_accuracy = l.accuracy;
      row.linear_train_accuracy = l.train_accuracy;
      if (!confusion || name === "cgml") confusion = { model: name, metrics: l };
    }
    results.models[name] = row;
    if (ctx.inputs.includes(`models.${name}.samples`)) {
      const s = unpack<{ rows: number[]; draws: number; height: number; width: number }>(
        await ctx.input(`models.${name}.samples`),
      );
      const { height: h, width: w, draws } = s.meta;
      const cells = h * w;
      const clean = f32(s, "clean"), corrupted = f32(s, "corrupted");
      const changed = f32(s, "changed"), recovered = f32(s, "recovered");
      const rows = s.meta.rows.map((_, i) => {
        const maps = [
          clean.slice(i * cells, (i + 1) * cells),
          corrupted.slice(i * cells, (i + 1) * cells),
          changed.slice(i * cells, (i + 1) * cells),
          ...Array.from(
            { length: Math.min(draws, 4) },
            (_, j) => recovered.slice((i * draws + j) * cells, (i * draws + j + 1) * cells),
          ),
        ];
        return `<img alt="${name} sample ${i}" src="${dataUri(mapStrip(maps, h, w, 2.5))}">`;
      });
      shown.push({
        name,
        clean: s.meta.rows.map((_, i) => clean.slice(i * cells, (i + 1) * cells)),
        corrupted: s.meta.rows.map((_, i) => corrupted.slice(i * cells, (i + 1) * cells)),
        first: s.meta.rows.map((_, i) =>
          recovered.slice(i * draws * cells, (i * draws + 1) * cells)
        ),
      });
      sections.push(
        `<h3>${escape(name)}</h3><p class="note">clean | corrupted | corrupted cells | first ${
          Math.min(draws, 4)
        } of ${draws} recovered draws</p>${rows.join("<br>")}`,
      );
    }
  }
  const shapes: string[] = [];
  if (ctx.inputs.includes("maps") && shown.length > 0) {
    const set = readMapSet(await ctx.input("maps"));
    const count = Math.min(p.reconstructions, shown[0].clean.length);
    for (let i = 0; i < count; i++) {
      const rows = [
        mapPoints(set, shown[0].clean[i]),
        mapPoints(set, shown[0].corrupted[i]),
        ...shown.map((m) => mapPoints(set, m.first[i])),
      ];
      shapes.push(`<img alt="reconstruction ${i}" src="${dataUri(renderRows(rows))}">`);
    }
  }
  const charts: string[] = [];
  if (curves.length > 0) {
    charts.push(
      await svg({
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
      }),
    );
  }
  const acc = Object.entries(results.models).filter(([, r]) => r.linear_accuracy !== undefined);
  if (acc.length > 0) {
    charts.push(
      await svg({
        title: "Linear accuracy on the test split",
        data: { values: acc.map(([model, r]) => ({ model, accuracy: r.linear_accuracy })) },
        mark: "bar",
        encoding: {
          x: { field: "model", type: "nominal", sort: null },
          y: { field: "accuracy", type: "quantitative", scale: { domain: [0, 1] } },
        },
        width: 300,
        height: 220,
      }),
    );
  }
  if (confusion) {
    const { classes, confusion: m } = confusion.metrics;
    charts.push(
      await svg({
        title: `Confusion matrix (${confusion.model} features)`,
        data: {
          values: m.flatMap((row, i) =>
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
      }),
    );
  }
  const fmt = (v: number | undefined, k: string) =>
    v === undefined || !Number.isFinite(v)
      ? "–"
      : k.includes("accuracy") || k === "map"
      ? `${(100 * v).toFixed(1)} %`
      : v.toFixed(k === "train_seconds" ? 0 : 3);
  const table = `<table><tr><th>model</th>${COLUMNS.map((c) => `<th>${c}</th>`).join("")}</tr>${
    Object.entries(results.models).map(([name, r]) =>
      `<tr><td>${escape(name)}</td>${COLUMNS.map((c) => `<td>${fmt(r[c], c)}</td>`).join("")}</tr>`
    ).join("")
  }</table>`;
  const html = page(
    p.title,
    `<h2>Models</h2>${table}
<p class="note">PSNR and L1 on the corrupted cells of the test maps (standardised units; PSNR peak =
range of the clean test values), mean over the k draws (psnr_best: best of k). map: retrieval mAP of
the denoised test maps against the clean train maps.</p>
<h2>Charts</h2>${charts.join("\n")}
<h2>Maps</h2>${sections.join("\n")}
${
      shapes.length > 0
        ? `<h2>3-D reconstructions</h2><p class="note">Rows: clean map (blue), corrupted map (grey),
then the first recovered draw of ${
          shown.map((m) => escape(m.name)).join(", ")
        } (orange); columns: front, side and top views. Maps are de-standardised with the train
statistics and inverted (Zernike: the densest 6 % of a 32³ voxel ball; SH: the extent surface).</p>
${shapes.join("\n")}`
        : ""
    }
${notesHtml(p.notes)}`,
  );
  return { html: new TextEncoder().encode(html), results: encodeJson(results) };
};
