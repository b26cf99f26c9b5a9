/**
 * The artifacts of an inference: the tables (`inference_files.ts`), the reconstructions of the
 * first inputs' draws — map models: the input's shape and each draw's as PLY point sets and a
 * PNG of three views per shape, with a strip of the maps; image models: a PNG of the input and
 * its draws — and one self-contained HTML page showing the modes per input and those images.
 * @module
 */
import type { InferenceResult } from "../models/mod.ts";
import { encodePng } from "../lib/mod.ts";
import { formatPly, type MapSet } from "../spectral/mod.ts";
import { modesJson, predictionsCsv, samplesSafetensors } from "./inference_files.ts";
import { mapStrip } from "./maps.ts";
import { dataUri, escape, page } from "./page.ts";
import { mapPoints, renderRows } from "./reconstruct.ts";

/** Most draws per input reconstructed (the rest are in samples.safetensors). */
const SHOWN_DRAWS = 8;

/** Every artifact of an inference, as bytes. */
export interface InferenceArtifacts {
  predictions: Uint8Array;
  samples: Uint8Array;
  modes: Uint8Array;
  report: Uint8Array;
  /** Reconstructions by relative path (`input-1/draw-0.ply`, `input-1/views.png`, …). */
  reconstructions: Map<string, Uint8Array>;
}

/** Settings of {@link inferenceArtifacts}. */
export interface InferenceReportOptions {
  title: string;
  /** Inputs whose draws are reconstructed. */
  show: number;
  /** Map models: the basis, order and statistics that turn a map back into a shape. */
  maps?: Pick<MapSet, "meta" | "mean" | "std">;
  /** Lines about the model (name, version, method) shown above the table. */
  about: string[];
}

/** Builds every artifact of `r`. */
export function inferenceArtifacts(
  r: InferenceResult,
  o: InferenceReportOptions,
): InferenceArtifacts {
  const text = (s: string) => new TextEncoder().encode(s);
  const shown = Math.min(o.show, r.names.length);
  const reconstructions = new Map<string, Uint8Array>();
  const figures: string[] = [];
  for (let i = 0; i < shown; i++) {
    const folder = `input-${i + 1}`;
    const images = r.kind === "map"
      ? mapFigures(r, i, o.maps!, folder, reconstructions)
      : r.kind === "image"
      ? [imageStrip(r, i)]
      : [];
    images.forEach((png, n) =>
      reconstructions.set(`${folder}/${n === 0 ? "views" : "maps"}.png`, png)
    );
    if (images.length > 0) {
      figures.push(
        `<h3>${escape(r.names[i])}</h3><p class="note">${modeLine(r, i)}</p>` +
          images.map((png) => `<img src="${dataUri(png)}" alt="${escape(r.names[i])}">`).join(
            "<br>",
          ),
      );
    }
  }
  const html = page(o.title, body(r, o, figures));
  return {
    predictions: text(predictionsCsv(r)),
    samples: samplesSafetensors(r),
    modes: text(modesJson(r)),
    report: text(html),
    reconstructions,
  };
}

function modeLine(r: InferenceResult, i: number): string {
  const m = r.modes[i];
  const cls = r.classes === null
    ? ""
    : `; class ${escape(r.classes[i].label)} (${r.classes[i].score.toFixed(3)})`;
  return `${m.sizes.length} mode(s) of sizes ${m.sizes.join(", ")}${cls}`;
}

/** PNG of three views per shape (input, then draws) and a strip of the maps; PLY files saved. */
function mapFigures(
  r: InferenceResult,
  i: number,
  maps: Pick<MapSet, "meta" | "mean" | "std">,
  folder: string,
  files: Map<string, Uint8Array>,
): Uint8Array[] {
  const cells = r.inputs.length / r.names.length;
  const input = r.inputs.subarray(i * cells, (i + 1) * cells);
  const draws = Array.from(
    { length: Math.min(r.k, SHOWN_DRAWS) },
    (_, j) => r.outputs.subarray((i * r.k + j) * cells, (i * r.k + j + 1) * cells),
  );
  const points = [input, ...draws].map((map) => mapPoints(maps, map));
  points.forEach((p, n) => {
    const name = n === 0 ? "input" : `draw-${n - 1}`;
    const comment = `${r.names[i]} ${
      n === 0 ? "input map" : `draw ${n - 1}, mode ${r.modes[i].mode[n - 1]}`
    }`;
    files.set(`${folder}/${name}.ply`, new TextEncoder().encode(formatPly(p, [], comment)));
  });
  const [h, w] = r.inShape;
  return [renderRows(points, 96), mapStrip([input, ...draws], h, w, 3, 4)];
}

/** PNG of an image input and its first draws side by side. */
function imageStrip(r: InferenceResult, i: number): Uint8Array {
  const [h, w] = r.inShape;
  const size = h * w * 3;
  const tiles = [
    r.inputs.subarray(i * size, (i + 1) * size),
    ...Array.from(
      { length: Math.min(r.k, SHOWN_DRAWS) },
      (_, j) => r.outputs.subarray((i * r.k + j) * size, (i * r.k + j + 1) * size),
    ),
  ];
  const scale = Math.max(1, Math.ceil(48 / h));
  const gap = 4;
  const width = tiles.length * (w * scale + gap) - gap;
  const data = new Uint8Array(width * h * scale * 3).fill(255);
  tiles.forEach((t, n) => {
    for (let y = 0; y < h * scale; y++) {
      for (let x = 0; x < w * scale; x++) {
        const src = (Math.floor(y / scale) * w + Math.floor(x / scale)) * 3;
        const dst = (y * width + n * (w * scale + gap) + x) * 3;
        for (let c = 0; c < 3; c++) {
          data[dst + c] = Math.round(Math.min(1, Math.max(0, t[src + c])) * 255);
        }
      }
    }
  });
  return encodePng({ width, height: h * scale, data });
}

/** Most inputs listed in the page's table (every input is in modes.json). */
const TABLE_ROWS = 200;

function body(r: InferenceResult, o: InferenceReportOptions, figures: string[]): string {
  const histogram = new Map<number, number>();
  for (const m of r.modes) histogram.set(m.sizes.length, (histogram.get(m.sizes.length) ?? 0) + 1);
  const counts = [...histogram].sort(([a], [b]) => a - b)
    .map(([modes, n]) => `${n} with ${modes} mode${modes === 1 ? "" : "s"}`).join(", ");
  const head = ["input", "modes", "sizes", "spread", ...(r.classes ? ["class", "score"] : [])];
  const rows = r.names.slice(0, TABLE_ROWS).map((name, i) => {
    const m = r.modes[i];
    const cells = [
      escape(name),
      String(m.sizes.length),
      m.sizes.join(", "),
      m.spread.map((s) => s.toFixed(3)).join(", "),
      ...(r.classes ? [escape(r.classes[i].label), r.classes[i].score.toFixed(3)] : []),
    ];
    return `<tr>${cells.map((c) => `<td>${c}</td>`).join("")}</tr>`;
  });
  return [
    ...o.about.map((line) => `<p>${escape(line)}</p>`),
    `<p>${r.names.length} inputs × k = ${r.k} draws, T = ${r.steps} steps${
      r.momentum ? " with ρ" : " without ρ"
    }; draws within RMS ${r.tolerance} of each other are one mode: ${counts}.</p>`,
    "<h2>Modes per input</h2>",
    `<table><tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr>${rows.join("")}</table>`,
    r.names.length > TABLE_ROWS
      ? `<p class="note">First ${TABLE_ROWS} inputs; every input is in modes.json.</p>`
      : "",
    figures.length > 0
      ? `<h2>Draws of the first inputs</h2><p class="note">${
        r.kind === "map"
          ? "Rows: the input's shape (blue), then its draws; below, the maps. PLY files of every " +
            "shape are in reconstructions/."
          : "The input, then its draws."
      }</p>${figures.join("\n")}`
      : "",
  ].join("\n");
}
