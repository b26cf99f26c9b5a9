/**
 * The report of the image experiments (`report.images@1`): results.json keyed by model and
 * condition (for completion the condition is the box rate, e.g.
 * `{"cgml": {"p0.3": {"box": 0.41, "no_box": 0.52, "between": 0.07, "psnr": …}}}`; for
 * colorization it is "colour") and one self-contained HTML page: the table of every run, the
 * box-mode shares per model and rate, loss curves, and the sample grids.
 * @module
 */
import type { ImageMetrics, LossCurves } from "../eval/mod.ts";
import { dataUri, escape, notesHtml, page, svg } from "./page.ts";

/** The `results` artifact of image experiments: model → condition → metric → value. */
export type ImageResults = Record<string, Record<string, Record<string, number>>>;

/** Flattens one run's metrics into the numbers kept in results.json. */
export function resultRow(m: ImageMetrics, curves?: LossCurves): Record<string, number> {
  const row: Record<string, number> = {
    psnr: m.psnr,
    psnr_best: m.psnr_best,
    ssim: m.ssim,
    diversity: m.diversity,
  };
  if (m.modes) {
    row.box = m.modes.box;
    row.no_box = m.modes.no_box;
    row.between = m.modes.between;
    row.both_modes = m.modes.both_modes;
  }
  if (curves) row.train_seconds = curves.trainSeconds;
  return row;
}

const fmt = (v: number | undefined, digits = 3) =>
  v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(digits);
const pct = (v: number | undefined) =>
  v === undefined || !Number.isFinite(v) ? "–" : `${(100 * v).toFixed(0)} %`;

/** What the report knows of one evaluated run (a row of the `runs` table input). */
export interface RunReport {
  name: string;
  metrics: ImageMetrics;
  curves?: LossCurves;
  /** PNG of the run's sample grid. */
  grid?: Uint8Array;
}

/** Builds results.json and the page. */
export async function imageReport(
  o: { title: string; notes: string },
  runs: readonly RunReport[],
): Promise<{ html: string; results: ImageResults }> {
  const results: ImageResults = {};
  for (const { metrics: m, curves } of runs) {
    (results[m.model] ??= {})[m.condition] = resultRow(m, curves);
  }
  const rows = runs.map(({ metrics: m, curves: c }) =>
    `<tr><td>${escape(m.model)}</td><td>${escape(m.condition)}</td><td>${fmt(m.psnr, 2)}</td>` +
    `<td>${fmt(m.psnr_best, 2)}</td><td>${fmt(m.ssim)}</td><td>${fmt(m.diversity)}</td>` +
    `<td>${pct(m.modes?.box)}</td><td>${pct(m.modes?.no_box)}</td>` +
    `<td>${pct(m.modes?.between)}</td><td>${fmt(c?.trainSeconds, 0)}</td></tr>`
  );
  const grids = runs.filter((r) => r.grid !== undefined).map(({ name, metrics: m, grid }) =>
    `<h3>${escape(name)}: ${escape(m.model)}, ${escape(m.condition)}</h3>` +
    `<img alt="${escape(name)} samples" src="${dataUri(grid!)}">`
  );
  const charts = await imageCharts(runs);
  const html = page(
    o.title,
    `<h2>Runs</h2><table><tr><th>model</th><th>condition</th><th>PSNR</th><th>PSNR best of k</th>
<th>SSIM</th><th>diversity</th><th>box</th><th>no box</th><th>between</th><th>train s</th></tr>
${rows.join("\n")}</table>
<p class="note">PSNR (dB, peak 1) and SSIM on the scored region (completion: the masked pixels;
colorization: the whole RGB image), over all k draws; best of k: the best draw per input. box /
no box / between: shares of the k samples whose box region is within 0.25 of the box, of the
clean image, or neither (t = (s − s₀) / (1 − s₀)).</p>
<h2>Charts</h2>${charts.join("\n")}
<h2>Samples</h2><p class="note">Each row: input (masked pixels dark blue), ground truth, then
samples for different z₀.</p>${grids.join("\n")}
${notesHtml(o.notes)}`,
  );
  return { html, results };
}

/** The box-mode shares per model and rate, and the loss curves. */
async function imageCharts(runs: readonly RunReport[]): Promise<string[]> {
  const shares = runs.flatMap(({ metrics: m }) =>
    m.modes
      ? (["box", "between", "no_box"] as const).map((mode) => ({
        model: m.model,
        rate: m.condition,
        mode,
        share: m.modes![mode],
      }))
      : []
  );
  const curves = runs.flatMap((r) =>
    (r.curves?.epochs ?? []).map((e) => ({ run: r.name, epoch: e.epoch, loss: e.loss }))
  );
  const charts: string[] = [];
  if (shares.length > 0) {
    charts.push(
      await svg({
        title: "Where the k samples land: box, between, no box (per model and box rate)",
        data: { values: shares },
        mark: "bar",
        encoding: {
          column: { field: "rate", type: "nominal", title: "box rate" },
          x: { field: "model", type: "nominal", sort: null },
          y: { field: "share", type: "quantitative", stack: "normalize" },
          color: {
            field: "mode",
            type: "nominal",
            sort: ["box", "between", "no_box"],
            scale: { range: ["#e45756", "#bab0ac", "#4c78a8"] },
          },
        },
        width: 110,
        height: 220,
      }),
    );
  }
  if (curves.length > 0) {
    charts.push(
      await svg({
        title: "Training loss (H/G L1) per epoch",
        data: { values: curves },
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "epoch", type: "quantitative" },
          y: { field: "loss", type: "quantitative", scale: { zero: false } },
          color: { field: "run", type: "nominal" },
        },
        width: 480,
        height: 260,
      }),
    );
  }
  return charts;
}
