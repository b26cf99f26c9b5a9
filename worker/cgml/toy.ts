/**
 * The toy experiment (paper Sec. 4, Fig. 3): train cGML and the plain L1 regressor on the
 * built-in ± curves (drawn fresh every epoch, `latents: fresh`) or on a CSV file (a fixed set,
 * `latents: persistent` with the toy reference's three-branch settings), then evaluate four
 * predictors — cGML (Eq. 4 with ρ), cGML w/o ρ, no move (G(H(x), z₀)) and L1 — with the
 * multimodal metrics, and draw the figure.
 * @module
 */
import { type CgmlConfig, type CgmlConfigInput, makeConfig, PERSISTENT_PRESET } from "./config.ts";
import { predictNamed, type PredictorName } from "./infer.ts";
import { CgmlTrainer, type TrainingData, type TrainProgress } from "./train.ts";
import { type Gpu } from "../gpu/mod.ts";
import { Rng } from "../lib/mod.ts";
import {
  modeShares,
  type MultimodalData,
  PLUS_MINUS,
  readMultimodalCsv,
  sampleToy,
  toyGrid,
  toyTruth,
  withModes,
} from "../data/mod.ts";
import {
  evaluateMultimodal,
  findModes,
  multimodalFigure,
  type MultimodalMetrics,
} from "../eval/mod.ts";

/** Options of {@link runToyExperiment}. */
export interface ToyExperimentOptions {
  /** A CSV file (x…, y…, optional mode); default: the built-in ± curves. */
  csv?: string;
  /** Seed of everything (default 1). */
  seed?: number;
  /** Epochs of both models (default: the configuration's, 30). */
  epochs?: number;
  /** Further configuration overrides (applied to both models). */
  overrides?: CgmlConfigInput;
  /** Evaluated inputs (default 256). */
  inputs?: number;
  /** Draws of z₀ per input (default 8). */
  draws?: number;
  /** Tolerance τ of the metrics (default 0.5). */
  tolerance?: number;
  /** Progress of each model's training. */
  onProgress?: (model: "cgml" | "l1", p: TrainProgress) => void;
}

/** The metrics of one predictor, as written to metrics.json. */
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

/** Everything the experiment measured. */
export interface ToyReport {
  data: {
    source: string;
    kind: "fresh" | "fixed";
    rows: number;
    modes: string[];
    modeShares: Record<string, number>;
    modesFrom: "labels" | "clustering";
  };
  seed: number;
  epochs: number;
  evaluation: { inputs: number; draws: number; tolerance: number; inputTolerance: number };
  config: { cgml: CgmlConfig; l1: CgmlConfig };
  predictors: Record<PredictorName, PredictorReport>;
}

/** The report plus the figure. */
export interface ToyResult {
  report: ToyReport;
  svg: string;
}

const PREDICTORS: PredictorName[] = ["cgml", "cgml-no-rho", "no-move", "l1"];
const TITLES: Record<PredictorName, string> = {
  "cgml": "cGML (with ρ)",
  "cgml-no-rho": "cGML w/o ρ",
  "no-move": "no move G(H(x), z₀)",
  "l1": "L1 regressor",
};

async function loadData(
  csv: string | undefined,
  seed: number,
  count: number,
): Promise<
  { training: TrainingData; truth: MultimodalData; inputs: Float32Array; info: ToyReport["data"] }
> {
  if (!csv) {
    const inputs = toyGrid(PLUS_MINUS, count);
    const truth = toyTruth(PLUS_MINUS, inputs);
    return {
      training: { kind: "fresh", sample: (rng, n) => sampleToy(PLUS_MINUS, n, rng) },
      truth,
      inputs,
      info: {
        source: `built-in ${PLUS_MINUS.name}: y = ±4(x, x², x³)`,
        kind: "fresh",
        rows: 0,
        modes: [...PLUS_MINUS.branchNames],
        modeShares: Object.fromEntries(PLUS_MINUS.branchNames.map((n) => [n, 0.5])),
        modesFrom: "labels",
      },
    };
  }
  let data = await readMultimodalCsv(csv);
  let modesFrom: "labels" | "clustering" = "labels";
  if (!data.mode) {
    const found = findModes(data);
    data = withModes(
      data,
      found.mode,
      Array.from({ length: found.count }, (_, i) => `cluster ${i}`),
    );
    modesFrom = "clustering";
  }
  const order = new Rng(seed ^ 0x5eed).shuffle(Array.from({ length: data.n }, (_, i) => i));
  const picked = order.slice(0, Math.min(count, data.n)).sort((a, b) => a - b);
  const inputs = new Float32Array(picked.length * data.inDim);
  picked.forEach((r, i) =>
    inputs.set(data.x.subarray(r * data.inDim, (r + 1) * data.inDim), i * data.inDim)
  );
  const shares = modeShares(data);
  return {
    training: { kind: "fixed", data },
    truth: data,
    inputs,
    info: {
      source: csv,
      kind: "fixed",
      rows: data.n,
      modes: [...data.modeNames],
      modeShares: Object.fromEntries(data.modeNames.map((n, i) => [n, shares[i]])),
      modesFrom,
    },
  };
}

/** Trains both models, evaluates the four predictors and renders the figure. */
export async function runToyExperiment(
  gpu: Gpu,
  opts: ToyExperimentOptions = {},
): Promise<ToyResult> {
  const seed = opts.seed ?? 1;
  const { training, truth, inputs, info } = await loadData(opts.csv, seed, opts.inputs ?? 256);
  const dims: CgmlConfigInput = { seed, inDim: truth.inDim, outDim: truth.outDim };
  if (opts.epochs !== undefined) dims.epochs = opts.epochs;
  const preset = training.kind === "fixed" ? PERSISTENT_PRESET : {};
  const cgmlConfig = makeConfig(preset, dims, opts.overrides ?? {});
  const l1Config = makeConfig(preset, dims, opts.overrides ?? {}, { method: "l1" });
  const draws = opts.draws ?? 8;
  const predictors = {} as Record<PredictorName, PredictorReport>;
  const panels = [];
  let inputTolerance = NaN;
  for (const config of [cgmlConfig, l1Config]) {
    const trainer = new CgmlTrainer(gpu, config, training);
    try {
      await trainer.fit({ onProgress: (p) => opts.onProgress?.(config.method, p) });
      const names = config.method === "l1" ? PREDICTORS.slice(3) : PREDICTORS.slice(0, 3);
      for (const name of names) {
        const start = performance.now();
        const generated = await predictNamed(name, trainer.model, inputs, {
          draws,
          rng: new Rng(seed + 101),
        });
        const inferenceSeconds = (performance.now() - start) / 1000;
        const { metrics, assignment } = evaluateMultimodal(truth, generated, {
          tolerance: opts.tolerance,
        });
        inputTolerance = metrics.inputTolerance;
        predictors[name] = report(metrics, truth, trainer.trainSeconds, inferenceSeconds);
        panels.push({ title: TITLES[name], generated, assignment });
      }
    } finally {
      trainer.dispose();
    }
  }
  const svg = await multimodalFigure(truth, panels, {
    title: `cGML toy experiment — ${info.source}, seed ${seed}`,
    truthAs: training.kind === "fresh" ? "lines" : "points",
  });
  return {
    report: {
      data: info,
      seed,
      epochs: cgmlConfig.epochs,
      evaluation: {
        inputs: inputs.length / truth.inDim,
        draws,
        tolerance: opts.tolerance ?? 0.5,
        inputTolerance,
      },
      config: { cgml: cgmlConfig, l1: l1Config },
      predictors,
    },
    svg,
  };
}

function report(
  m: MultimodalMetrics,
  truth: MultimodalData,
  trainingSeconds: number,
  inferenceSeconds: number,
): PredictorReport {
  return {
    chamfer: m.chamfer,
    coverage: Object.fromEntries(truth.modeNames.map((n, i) => [n, m.coverage[i]])),
    phantom: m.phantom,
    hitRate: m.hitRate,
    trainingSeconds,
    inferenceSeconds,
  };
}
