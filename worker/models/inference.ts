/**
 * Inference of a published model by Eq. 4: k draws of z₀ per input move T steps and give k
 * outputs, which are clustered into modes (`drawModes`). By kind:
 * - map: each shape → its map (the model's basis, order and standardisation statistics) → k
 *   restorations; the features of H go to the probe, when one is published, for a class and its
 *   softmax probability;
 * - toy: each row x → k predictions y;
 * - image: each image → k completions of its top half (grey) or k colorizations of its
 *   lightness (RGB out).
 * All k draws of a batch of inputs run as one GPU batch (`BackboneModel.infer`, `predict`).
 * @module
 */
import { MAX_INFERENCE_VALUES } from "../../infra/mod.ts";
import {
  COMPLETION_CHANNELS,
  LAB_AB_OFFSET,
  LAB_AB_SCALE,
  labToUnit,
  rgbToLab,
} from "../data/mod.ts";
import { type DrawModes, drawModes, toRgb } from "../eval/mod.ts";
import type { Gpu } from "../gpu/mod.ts";
import { Rng } from "../lib/mod.ts";
import { buildMapSet, type MapSet, type ShapeSet } from "../spectral/mod.ts";
import type { ImageInput } from "./backbone_model.ts";
import type { Progress } from "./hooks.ts";
import type { InferenceInputs } from "./inference_inputs.ts";
import { cleanInputs } from "./map_denoiser.ts";
import type { PublishedKind, PublishedModel, RowsInput } from "./published.ts";

/** Settings of {@link runInference}. */
export interface InferenceOptions {
  /** Draws per input. */
  k: number;
  /** Eq. 4 steps T; -1: the published default. */
  steps: number;
  seed: number;
  /** RMS distance within which draws are one mode; 0: {@link DEFAULT_TOLERANCE}. */
  tolerance: number;
  progress?: (p: Progress) => void;
}

/** Mode tolerance by kind: standardised map units, toy output units, RGB in [0, 1]. */
export const DEFAULT_TOLERANCE: Readonly<Record<PublishedKind, number>> = {
  map: 0.25,
  toy: 0.5,
  image: 0.05,
};

/** What an inference produced. */
export interface InferenceResult {
  kind: PublishedKind;
  names: string[];
  k: number;
  steps: number;
  momentum: boolean;
  tolerance: number;
  /** Outputs [m·k, …outShape], draw-major within an input: maps (standardised), y rows, RGB. */
  outputs: Float32Array;
  outShape: number[];
  /** The inputs as the outputs are shown: maps [m, H, W], x rows, RGB [m, H, W, 3]. */
  inputs: Float32Array;
  inShape: number[];
  /** Map models: which cells of a map hold a coefficient. */
  valid: Float32Array | null;
  modes: DrawModes[];
  /** The probe's class of each input (map models with a probe). */
  classes: { label: string; score: number }[] | null;
  /** Column names of a row output (toy: the y columns). */
  columns: string[];
  /** Column names of a row input (toy: the x columns). */
  inputColumns: string[];
}

/** Runs the model on `inputs` (see the module doc). */
export async function runInference(
  gpu: Gpu,
  model: PublishedModel,
  inputs: InferenceInputs,
  o: InferenceOptions,
): Promise<InferenceResult> {
  const c = model.config;
  const m = inputs.names.length;
  const outDim = c.network.outDim * (c.kind === "image" ? 3 / c.network.conv.outShape[2] : 1);
  if (m * o.k * outDim > MAX_INFERENCE_VALUES) {
    throw new Error(
      `Cannot infer: k × inputs × values per output = ${o.k} × ${m} × ${outDim} exceeds ` +
        `${MAX_INFERENCE_VALUES} values (${MAX_INFERENCE_VALUES * 4 / 2 ** 30} GiB of samples); ` +
        "lower k or split the inputs",
    );
  }
  const steps = o.steps < 0 ? c.inference.steps : o.steps;
  const momentum = c.inference.momentum;
  const tolerance = o.tolerance > 0 ? o.tolerance : DEFAULT_TOLERANCE[c.kind];
  const rng = new Rng((o.seed * 131 + 5) >>> 0);
  o.progress?.({ unit: "inputs", done: 0, total: m });
  const run = c.kind === "map"
    ? await mapDraws(gpu, model, inputs, o.k, steps, rng, o.progress)
    : c.kind === "toy"
    ? await toyDraws(model, inputs, o.k, steps, rng)
    : await imageDraws(model, inputs, o.k, steps, rng);
  o.progress?.({ unit: "inputs", done: m, total: m });
  const dim = run.outputs.length / (m * o.k);
  const modes = Array.from(
    { length: m },
    (_, i) =>
      drawModes(
        run.outputs.subarray(i * o.k * dim, (i + 1) * o.k * dim),
        o.k,
        dim,
        tolerance,
        run.valid ?? undefined,
      ),
  );
  return {
    kind: c.kind,
    names: inputs.names,
    k: o.k,
    steps,
    momentum,
    tolerance,
    ...run,
    modes,
  };
}

/**
 * The maps of `shapes` as the published map model reads them (its basis, order, clip and
 * standardisation statistics) and its network inputs: value, validity, masked = 0.
 */
export async function publishedMaps(
  gpu: Gpu,
  model: PublishedModel,
  shapes: ShapeSet,
  onProgress?: (done: number, total: number) => void,
): Promise<{ maps: MapSet; x: Float32Array }> {
  const input = model.mapInput;
  const maps = await buildMapSet(gpu, shapes, input, onProgress, input);
  const rows = Array.from({ length: shapes.split.length }, (_, i) => i);
  return { maps, x: cleanInputs(maps.values, maps.valid, rows) };
}

type Draws = Pick<
  InferenceResult,
  "outputs" | "outShape" | "inputs" | "inShape" | "valid" | "classes" | "columns" | "inputColumns"
>;

async function mapDraws(
  gpu: Gpu,
  model: PublishedModel,
  inputs: InferenceInputs,
  k: number,
  steps: number,
  rng: Rng,
  progress?: (p: Progress) => void,
): Promise<Draws> {
  const input = model.mapInput;
  const m = inputs.names.length;
  const shapes: ShapeSet = {
    meta: { classes: ["input"], ids: inputs.names, points: input.points },
    points: inputs.values,
    labels: new Int32Array(m),
    split: new Int32Array(m).fill(1),
  };
  const { maps, x } = await publishedMaps(
    gpu,
    model,
    shapes,
    (done, total) => progress?.({ unit: "maps", done, total }),
  );
  const backbone = model.backbone!;
  const outputs = await backbone.infer(x, {
    draws: k,
    rng,
    steps,
    momentum: model.config.inference.momentum,
  });
  let classes: Draws["classes"] = null;
  if (model.probe !== null) {
    const pool = model.config.features?.pool ?? "flatten";
    classes = await model.probe.classify((await backbone.features(x, pool)).features);
  }
  return {
    outputs,
    outShape: [input.height, input.width],
    inputs: maps.values,
    inShape: [input.height, input.width],
    valid: maps.valid,
    classes,
    columns: [],
    inputColumns: [],
  };
}

async function toyDraws(
  model: PublishedModel,
  inputs: InferenceInputs,
  k: number,
  steps: number,
  rng: Rng,
): Promise<Draws> {
  const c = model.config;
  const input = c.input as RowsInput;
  const predictor = c.method === "l1"
    ? "l1"
    : steps === 0
    ? "no-move"
    : c.inference.momentum
    ? "cgml"
    : "cgml-no-rho";
  const set = await model.toy!.infer(predictor, inputs.values, { draws: k, steps, rng });
  return {
    outputs: set.outputs,
    outShape: [input.y.length],
    inputs: inputs.values,
    inShape: [input.x.length],
    valid: null,
    classes: null,
    columns: input.y,
    inputColumns: input.x,
  };
}

async function imageDraws(
  model: PublishedModel,
  inputs: InferenceInputs,
  k: number,
  steps: number,
  rng: Rng,
): Promise<Draws> {
  const input = model.config.input as ImageInput;
  const { height: H, width: W } = input;
  const cells = H * W;
  const m = inputs.names.length;
  const task = { kind: input.task, seed: 0 } as Parameters<typeof toRgb>[0];
  const draws = { draws: k, rng, steps, momentum: model.config.inference.momentum };
  let x: Float32Array;
  let shown: Float32Array;
  let rgb: Float32Array;
  if (input.task === "colorization") {
    x = new Float32Array(m * cells);
    for (let i = 0; i < m; i++) {
      const u = labToUnit(rgbToLab(inputs.values.subarray(i * cells * 3, (i + 1) * cells * 3)));
      for (let p = 0; p < cells; p++) x[i * cells + p] = u[p * 3];
    }
    const out = await model.backbone!.infer(x, draws);
    const lightness = new Float32Array(m * k * cells);
    for (let r = 0; r < m * k; r++) {
      lightness.set(
        x.subarray(Math.floor(r / k) * cells, (Math.floor(r / k) + 1) * cells),
        r * cells,
      );
    }
    rgb = toRgb(task, out, lightness);
    shown = toRgb(task, new Float32Array(m * cells * 2).fill(LAB_AB_OFFSET / LAB_AB_SCALE), x);
  } else {
    // Completion: the top half is masked; the visible bottom half is grey.
    x = new Float32Array(m * cells * COMPLETION_CHANNELS);
    shown = new Float32Array(m * cells * 3);
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < cells; p++) {
        const masked = Math.floor(p / W) < H / 2;
        const v = inputs.values.subarray((i * cells + p) * 3, (i * cells + p + 1) * 3);
        const grey = (v[0] + v[1] + v[2]) / 3;
        x[(i * cells + p) * 2] = masked ? 0 : grey;
        x[(i * cells + p) * 2 + 1] = masked ? 1 : 0;
        shown.set(masked ? [0.15, 0.2, 0.45] : [grey, grey, grey], (i * cells + p) * 3);
      }
    }
    const out = await model.backbone!.infer(x, draws);
    for (let r = 0; r < m * k; r++) {
      const i = Math.floor(r / k);
      for (let p = 0; p < cells; p++) {
        if (x[(i * cells + p) * 2 + 1] === 0) out[r * cells + p] = x[(i * cells + p) * 2];
      }
    }
    rgb = toRgb(task, out, null);
  }
  return {
    outputs: rgb,
    outShape: [H, W, 3],
    inputs: shown,
    inShape: [H, W, 3],
    valid: null,
    classes: null,
    columns: [],
    inputColumns: [],
  };
}
