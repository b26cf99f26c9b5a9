/**
 * The toy experiment's evaluation: the four predictors — cGML (Eq. 4 with ρ), cGML w/o ρ, no
 * move (G(H(x), z₀)) from the cGML model, and the L1 regressor — against the ground truth:
 * Chamfer distance, coverage per mode, phantom fraction and hit rate, plus the figure.
 * @module
 */
import type { CgmlConfig, PredictorName } from "../cgml/mod.ts";
import { evaluateMultimodal, type FigurePanel, multimodalFigure } from "../eval/mod.ts";
import { Rng } from "../lib/mod.ts";
import type { Progress } from "./hooks.ts";
import { type ToyDataset, toyDataSummary, toyInputs } from "./toy_data.ts";
import type { ToyModel } from "./toy_model.ts";

/** The metrics of one predictor. */
export interface PredictorReport {
  chamfer: number;
  /** Coverage per mode name. */
  coverage: Record<string, number>;
  phantom: number;
  hitRate: number;
  /** Training seconds of the model behind the predictor. */
  trainingSeconds: number;
  /** Seconds to generate the evaluated outputs. */
  inferenceSeconds: number;
}

/** The `toy-metrics` artifact. */
export interface ToyMetrics {
  source: string;
  modesFrom: "labels" | "clustering";
  data: ReturnType<typeof toyDataSummary>;
  seed: number;
  evaluation: {
    inputs: number;
    draws: number;
    steps: number;
    tolerance: number;
    /** Distance in x within which two inputs count as the same for the hit rate. */
    inputTolerance: number;
  };
  /** The configurations of the two models. */
  config: { cgml: CgmlConfig; l1: CgmlConfig };
  predictors: Record<PredictorName, PredictorReport>;
}

/** Settings of {@link evaluateToy}. */
export interface ToyEvaluationOptions {
  /** Draws of z₀ per input. */
  k: number;
  /** Eq. 4 steps T. */
  steps: number;
  /** Distance τ within which a point counts for a mode. */
  tolerance: number;
  /** Evaluated inputs. */
  inputs: number;
  seed: number;
}

const TITLES: Record<PredictorName, string> = {
  "cgml": "cGML (with ρ)",
  "cgml-no-rho": "cGML w/o ρ",
  "no-move": "no move G(H(x), z₀)",
  "l1": "L1 regressor",
};

/** The predictors of each model, in the order they are evaluated and drawn. */
const GROUPS: ["cgml" | "l1", PredictorName[]][] = [
  ["cgml", ["cgml", "cgml-no-rho", "no-move"]],
  ["l1", ["l1"]],
];

/** Evaluates the four predictors of the two models and draws the figure (SVG). */
export async function evaluateToy(
  data: ToyDataset,
  models: { cgml: ToyModel; l1: ToyModel },
  o: ToyEvaluationOptions,
  progress: (p: Progress) => void = () => {},
): Promise<{ metrics: ToyMetrics; svg: string }> {
  const truth = data.truth;
  const inputs = toyInputs(data, o.inputs, o.seed);
  const predictors = {} as Record<PredictorName, PredictorReport>;
  const panels: FigurePanel[] = [];
  let inputTolerance = NaN;
  let done = 0;
  for (const [model, names] of GROUPS) {
    const loaded = models[model];
    for (const name of names) {
      progress({ unit: "predictors", done: done++, total: 4 });
      const start = performance.now();
      const generated = await loaded.infer(name, inputs, {
        draws: o.k,
        steps: o.steps,
        rng: new Rng(o.seed + 101),
      });
      const inferenceSeconds = (performance.now() - start) / 1000;
      const { metrics, assignment } = evaluateMultimodal(truth, generated, {
        tolerance: o.tolerance,
      });
      inputTolerance = metrics.inputTolerance;
      predictors[name] = {
        chamfer: metrics.chamfer,
        coverage: Object.fromEntries(truth.modeNames.map((m, i) => [m, metrics.coverage[i]])),
        phantom: metrics.phantom,
        hitRate: metrics.hitRate,
        trainingSeconds: loaded.card.trainSeconds,
        inferenceSeconds,
      };
      panels.push({ title: TITLES[name], generated, assignment });
    }
  }
  progress({ unit: "predictors", done: 4, total: 4 });
  const svg = await multimodalFigure(truth, panels, {
    title: `cGML toy experiment — ${data.source}, seed ${o.seed}`,
    truthAs: data.kind === "fresh" ? "lines" : "points",
  });
  const metrics: ToyMetrics = {
    source: data.source,
    modesFrom: data.modesFrom,
    data: toyDataSummary(data),
    seed: o.seed,
    evaluation: {
      inputs: inputs.length / truth.inDim,
      draws: o.k,
      steps: o.steps,
      tolerance: o.tolerance,
      inputTolerance,
    },
    config: { cgml: models.cgml.card.config, l1: models.l1.card.config },
    predictors,
  };
  return { metrics, svg };
}
