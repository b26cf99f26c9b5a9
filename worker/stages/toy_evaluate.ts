/**
 * `toy.evaluate@1`: the four predictors of the toy experiment — cGML (Eq. 4 with ρ), cGML
 * w/o ρ, no move (G(H(x), z₀)) from the cGML model, and the L1 regressor — against the ground
 * truth: Chamfer distance, coverage per mode, phantom fraction and hit rate, plus the figure.
 * Inputs are an even grid (built-in curves) or a random subset of the rows (CSV).
 * @module
 */
import type { StageParams, toyEvaluate } from "../../pipelines/mod.ts";
import { predictNamed, type PredictorName, type PredictorReport } from "../cgml/mod.ts";
import { PLUS_MINUS, toyGrid } from "../data/mod.ts";
import { evaluateMultimodal, type FigurePanel, multimodalFigure } from "../eval/mod.ts";
import { Rng } from "../lib/mod.ts";
import { encodeJson } from "./artifacts.ts";
import { dataFromJson, readToyData } from "./toy_data.ts";
import { decodeToyModel } from "./toy_train.ts";
import { paramsOf, type StageImpl } from "./types.ts";

/** The `toy-metrics` artifact. */
export interface ToyMetrics {
  source: string;
  modesFrom: "labels" | "clustering";
  evaluation: { inputs: number; draws: number; steps: number; tolerance: number };
  predictors: Record<PredictorName, PredictorReport>;
}

const TITLES: Record<PredictorName, string> = {
  "cgml": "cGML (with ρ)",
  "cgml-no-rho": "cGML w/o ρ",
  "no-move": "no move G(H(x), z₀)",
  "l1": "L1 regressor",
};

/** Evaluates the two models. */
export const run: StageImpl = async (ctx) => {
  const p = paramsOf<StageParams<typeof toyEvaluate>>(ctx);
  const source = readToyData(await ctx.input("data"));
  const truth = dataFromJson(source.truth);
  let inputs: Float32Array;
  if (source.kind === "fresh") {
    inputs = toyGrid(PLUS_MINUS, p.inputs);
  } else {
    const order = new Rng(p.seed ^ 0x5eed).shuffle(Array.from({ length: truth.n }, (_, i) => i));
    const picked = order.slice(0, Math.min(p.inputs, truth.n)).sort((a, b) => a - b);
    inputs = new Float32Array(picked.length * truth.inDim);
    picked.forEach((r, i) =>
      inputs.set(truth.x.subarray(r * truth.inDim, (r + 1) * truth.inDim), i * truth.inDim)
    );
  }
  const gpu = await ctx.gpu();
  const predictors = {} as Record<PredictorName, PredictorReport>;
  const panels: FigurePanel[] = [];
  const groups: [string, PredictorName[]][] = [["cgml", ["cgml", "cgml-no-rho", "no-move"]], [
    "l1",
    ["l1"],
  ]];
  let done = 0;
  for (const [input, names] of groups) {
    const loaded = decodeToyModel(gpu, await ctx.input(input));
    try {
      for (const name of names) {
        ctx.progress({ unit: "predictors", done: done++, total: 4 });
        const start = performance.now();
        const generated = await predictNamed(name, loaded.model, inputs, {
          draws: p.k,
          steps: p.steps,
          rng: new Rng(p.seed + 101),
        });
        const inferenceSeconds = (performance.now() - start) / 1000;
        const { metrics, assignment } = evaluateMultimodal(truth, generated, {
          tolerance: p.tolerance,
        });
        predictors[name] = {
          chamfer: metrics.chamfer,
          coverage: Object.fromEntries(truth.modeNames.map((m, i) => [m, metrics.coverage[i]])),
          phantom: metrics.phantom,
          hitRate: metrics.hitRate,
          trainingSeconds: loaded.trainSeconds,
          inferenceSeconds,
        };
        panels.push({ title: TITLES[name], generated, assignment });
      }
    } finally {
      loaded.model.dispose();
    }
  }
  ctx.progress({ unit: "predictors", done: 4, total: 4 });
  const svg = await multimodalFigure(truth, panels, {
    title: `cGML toy experiment — ${source.source}, seed ${p.seed}`,
    truthAs: source.kind === "fresh" ? "lines" : "points",
  });
  const metrics: ToyMetrics = {
    source: source.source,
    modesFrom: source.modesFrom,
    evaluation: {
      inputs: inputs.length / truth.inDim,
      draws: p.k,
      steps: p.steps,
      tolerance: p.tolerance,
    },
    predictors,
  };
  return { metrics: encodeJson(metrics), figure: new TextEncoder().encode(svg) };
};
