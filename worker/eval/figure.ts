/**
 * Multi-panel figure of multimodal predictions (like the paper's Fig. 3): one row per
 * predictor, one column per output coordinate plotted against the first input, generated
 * points coloured by the mode they count for (or "phantom") over the ground truth in grey.
 * Built as a vega-lite spec and rendered headless to SVG by vega.
 * @module
 */
import * as vega from "vega";
import * as vl from "vega-lite";
import type { GeneratedSet } from "./multimodal.ts";
import type { MultimodalData } from "../data/mod.ts";

/** One row of the figure. */
export interface FigurePanel {
  /** Row title (predictor name). */
  title: string;
  /** The predictor's outputs. */
  generated: GeneratedSet;
  /** Mode per generated point, −1 for phantom (from {@link evaluateMultimodal}). */
  assignment: Int32Array;
}

/** Options of {@link multimodalFigure}. */
export interface FigureOptions {
  /** Figure title. */
  title?: string;
  /** Most generated points drawn per row (evenly subsampled; default 300). */
  maxGenerated?: number;
  /** Most ground-truth points drawn per panel (default 200; all when drawn as lines). */
  maxTruth?: number;
  /**
   * Draw the truth as one line per mode through its points sorted by the first input (for
   * modes that are functions of x, like the toy curves) or as points (default).
   */
  truthAs?: "points" | "lines";
  /** Panel width and height in pixels (default 170 × 130). */
  width?: number;
  height?: number;
}

interface Datum {
  row: string;
  output: string;
  x: number;
  v: number;
  layer: "truth" | "generated";
  mode: string;
}

const PHANTOM = "phantom";
const PHANTOM_COLOR = "#d62728";
const MODE_COLORS = [
  "#1f77b4",
  "#2ca02c",
  "#9467bd",
  "#ff7f0e",
  "#8c564b",
  "#17becf",
  "#e377c2",
  "#bcbd22",
  "#7f7f7f",
];

function stride(n: number, cap: number): number {
  return Math.max(1, Math.ceil(n / cap));
}

/** The name of the truth's mode `c` (`mode <c>` when it has none). */
function modeLabel(truth: MultimodalData, c: number): string {
  return truth.modeNames[c] ?? `mode ${c}`;
}

/**
 * The figure's data: the truth in every row (the first row's as "generated", so it is coloured
 * by mode), then each panel's generated points, each subsampled evenly.
 */
function figureValues(
  truth: MultimodalData,
  panels: readonly FigurePanel[],
  rows: readonly string[],
  opts: FigureOptions,
): Datum[] {
  const values: Datum[] = [];
  const tStep = opts.truthAs === "lines" ? 1 : stride(truth.n, opts.maxTruth ?? 200);
  for (const row of rows) {
    for (let i = 0; i < truth.n; i += tStep) {
      for (let j = 0; j < truth.outDim; j++) {
        values.push({
          row,
          output: truth.yNames[j],
          x: truth.x[i * truth.inDim],
          v: truth.y[i * truth.outDim + j],
          layer: row === rows[0] ? "generated" : "truth",
          mode: truth.mode ? modeLabel(truth, truth.mode[i]) : "truth",
        });
      }
    }
  }
  for (const p of panels) {
    const { inputs, draws, outputs } = p.generated;
    const count = p.assignment.length;
    const gStep = stride(count, opts.maxGenerated ?? 300);
    for (let g = 0; g < count; g += gStep) {
      const i = Math.floor(g / draws);
      for (let j = 0; j < truth.outDim; j++) {
        values.push({
          row: p.title,
          output: truth.yNames[j],
          x: inputs[i * truth.inDim],
          v: outputs[g * truth.outDim + j],
          layer: "generated",
          mode: p.assignment[g] >= 0 ? modeLabel(truth, p.assignment[g]) : PHANTOM,
        });
      }
    }
  }
  return values;
}

/** The vega-lite spec of the figure (exported for tests and for other renderers). */
export function multimodalFigureSpec(
  truth: MultimodalData,
  panels: readonly FigurePanel[],
  opts: FigureOptions = {},
): vl.TopLevelSpec {
  const rows = ["ground truth", ...panels.map((p) => p.title)];
  const values = figureValues(truth, panels, rows, opts);
  const lines = opts.truthAs === "lines";
  const modeDomain = [...truth.modeNames.map((_, c) => modeLabel(truth, c)), PHANTOM];
  const xField = { field: "x", type: "quantitative", title: truth.xNames[0] } as const;
  const vField = { field: "v", type: "quantitative", title: null } as const;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: opts.title,
    data: { values },
    facet: {
      row: { field: "row", type: "nominal", sort: rows, title: null },
      column: { field: "output", type: "nominal", sort: [...truth.yNames], title: null },
    },
    spec: {
      width: opts.width ?? 170,
      height: opts.height ?? 130,
      layer: [
        lines
          ? {
            transform: [{ filter: "datum.layer === 'truth'" }],
            mark: { type: "line", color: "#bbbbbb", strokeWidth: 2, aria: false },
            encoding: {
              x: xField,
              y: vField,
              detail: { field: "mode", type: "nominal" },
              order: { field: "x", type: "quantitative" },
            },
          }
          : {
            transform: [{ filter: "datum.layer === 'truth'" }],
            mark: { type: "circle", size: 4, color: "#bbbbbb", opacity: 0.6, aria: false },
            encoding: { x: xField, y: vField },
          },
        {
          transform: [{ filter: "datum.layer === 'generated'" }],
          mark: { type: "circle", size: 7, opacity: 0.7, aria: false },
          encoding: {
            x: xField,
            y: vField,
            color: {
              field: "mode",
              type: "nominal",
              scale: {
                domain: modeDomain,
                range: [...MODE_COLORS.slice(0, modeDomain.length - 1), PHANTOM_COLOR],
              },
              title: "counts for",
            },
          },
        },
      ],
    },
    config: { font: "sans-serif", aria: false },
  } as vl.TopLevelSpec;
}

/** Renders the figure to an SVG string (headless, no canvas needed). */
export async function multimodalFigure(
  truth: MultimodalData,
  panels: readonly FigurePanel[],
  opts: FigureOptions = {},
): Promise<string> {
  const spec = vl.compile(multimodalFigureSpec(truth, panels, opts)).spec;
  const view = new vega.View(vega.parse(spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
