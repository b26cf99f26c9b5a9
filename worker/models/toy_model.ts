/**
 * The toy model (paper Sec. 4, Fig. 3): cGML with 3-layer MLPs H, G, Z, or the plain L1
 * regressor, on toy data — its configuration from params, training (`CgmlTrainer`, a checkpoint
 * every epoch; the built-in curves drawn fresh every epoch, a CSV's rows a fixed set), the
 * artifact codec (`toy-model`) and inference by the four predictors of the experiment.
 * @module
 */
import {
  type CgmlConfig,
  type CgmlModel,
  CgmlTrainer,
  makeConfig,
  predictNamed,
  type PredictorName,
  type TrainingData,
} from "../cgml/mod.ts";
import { PLUS_MINUS, sampleToy } from "../data/mod.ts";
import type { GeneratedSet, LossCurves } from "../eval/mod.ts";
import type { Gpu } from "../gpu/mod.ts";
import type { Rng } from "../lib/mod.ts";
import { encodeModelFile, findModelCard, loadModelWeights, readModelCard } from "./artifact.ts";
import { type CgmlParams, cgmlSettings } from "./cgml_settings.ts";
import { fitTrainer } from "./fit.ts";
import type { TrainHooks } from "./hooks.ts";
import type { ToyDataset } from "./toy_data.ts";

/** Params of a toy model (`toy.train@1`). */
export interface ToyModelParams extends CgmlParams {
  model: "cgml" | "l1";
  epochs: number;
  batch: number;
  lr: number;
  seed: number;
  /** Hidden width of the 3-layer MLPs. */
  width: number;
  /** Size of h = H(x). */
  hidden: number;
  latent_dim: number;
}

/** Everything that rebuilds a toy model (stored with its weights). */
export interface ToyCard {
  config: CgmlConfig;
  /** Seconds the training took (reported next to the predictors). */
  trainSeconds: number;
  /** Names of the input and output columns; absent in artifacts written before they were. */
  columns?: { x: string[]; y: string[] };
}

const CARD_KEY = "toy.model";

/** The card of a `toy-model` artifact; `undefined` for any other file. */
export function toyCardOf(bytes: Uint8Array): ToyCard | undefined {
  return findModelCard<ToyCard>(bytes, CARD_KEY);
}

/** The configuration of a toy model of `p` on `data`. */
export function toyConfig(p: ToyModelParams, data: ToyDataset): CgmlConfig {
  return makeConfig({
    seed: p.seed,
    method: p.model,
    family: "mlp",
    inDim: data.truth.inDim,
    outDim: data.truth.outDim,
    latentDim: p.latent_dim,
    embedDim: p.hidden,
    H: { width: p.width },
    G: { width: p.width },
    Z: { width: p.width },
    optimHG: { lr: p.lr },
    batchSize: p.batch,
    epochs: p.epochs,
    pairsPerEpoch: data.pairs,
  }, cgmlSettings(p));
}

/** Trains a toy model; returns its artifact and loss curves. */
export async function trainToyModel(
  gpu: Gpu,
  data: ToyDataset,
  p: ToyModelParams,
  hooks: TrainHooks,
): Promise<{ model: Uint8Array; curves: LossCurves }> {
  const training: TrainingData = data.kind === "fresh"
    ? { kind: "fresh", sample: (rng, n) => sampleToy(PLUS_MINUS, n, rng) }
    : { kind: "fixed", data: data.truth };
  const config = toyConfig(p, data);
  const trainer = new CgmlTrainer(gpu, config, training);
  try {
    const curves = await fitTrainer(trainer, p.model, hooks);
    const card: ToyCard = {
      config,
      trainSeconds: trainer.trainSeconds,
      columns: { x: [...data.truth.xNames], y: [...data.truth.yNames] },
    };
    return { model: await ToyModel.encode(trainer.model, card), curves };
  } finally {
    trainer.dispose();
  }
}

/** A trained toy model on the device. */
export class ToyModel {
  constructor(readonly card: ToyCard, readonly model: CgmlModel) {}

  /**
   * Loads safetensors `bytes` onto the device; the card comes from the file's metadata, or
   * from `card` (a published model's config.json).
   */
  static decode(gpu: Gpu, bytes: Uint8Array, card?: ToyCard): ToyModel {
    const c = card ?? readModelCard<ToyCard>(bytes, CARD_KEY, "toy model");
    return new ToyModel(c, loadModelWeights(gpu, bytes, c.config));
  }

  /** Serialises `model` with `card` (the `toy-model` artifact). */
  static encode(model: CgmlModel, card: ToyCard): Promise<Uint8Array> {
    return encodeModelFile(model, CARD_KEY, card);
  }

  /**
   * k outputs per input row by one of the four predictors: cGML (Eq. 4 with ρ), cGML w/o ρ,
   * no move (G(H(x), z₀)), or the L1 regressor (this model must be one).
   */
  infer(
    predictor: PredictorName,
    inputs: Float32Array,
    o: { draws: number; steps?: number; rng: Rng },
  ): Promise<GeneratedSet> {
    return predictNamed(predictor, this.model, inputs, o);
  }

  /** Frees the networks. */
  dispose(): void {
    this.model.dispose();
  }
}
