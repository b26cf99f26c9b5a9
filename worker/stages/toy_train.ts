/**
 * `toy.train@1`: cGML with 3-layer MLPs, or the L1 regressor, on toy data (`CgmlTrainer`, with
 * a checkpoint every epoch). The built-in curves are drawn fresh every epoch; a CSV's rows are a
 * fixed set.
 * @module
 */
import type { StageParams, toyTrain } from "../../pipelines/mod.ts";
import {
  type CgmlConfig,
  CgmlModel,
  CgmlTrainer,
  makeConfig,
  type TrainingData,
} from "../cgml/mod.ts";
import { PLUS_MINUS, sampleToy } from "../data/mod.ts";
import type { Gpu } from "../gpu/mod.ts";
import { encodeJson } from "./artifacts.ts";
import { decodeModelArtifact, encodeModelArtifact } from "./model_artifact.ts";
import { fitTrainer } from "./pair_training.ts";
import { dataFromJson, readToyData } from "./toy_data.ts";
import { paramsOf, type StageImpl } from "./types.ts";

const META_KEY = "toy.model";

/** Stored next to the weights of a toy model. */
interface ToyModelMeta {
  config: CgmlConfig;
  trainSeconds: number;
}

/** A loaded toy model. */
export interface ToyModel {
  model: CgmlModel;
  trainSeconds: number;
}

/** Loads a `toy-model` artifact onto the device. */
export function decodeToyModel(gpu: Gpu, bytes: Uint8Array): ToyModel {
  const { model, meta } = decodeModelArtifact<ToyModelMeta>(gpu, bytes, META_KEY, "toy model");
  return { model, trainSeconds: meta.trainSeconds };
}

/** Trains the model named by `model`. */
export const run: StageImpl = async (ctx) => {
  const p = paramsOf<StageParams<typeof toyTrain>>(ctx);
  const source = readToyData(await ctx.input("data"));
  const truth = dataFromJson(source.truth);
  const training: TrainingData = source.kind === "fresh"
    ? { kind: "fresh", sample: (rng, n) => sampleToy(PLUS_MINUS, n, rng) }
    : { kind: "fixed", data: truth };
  const net = (name: "h" | "g" | "z") => ({
    width: p.width,
    spectralNorm: p.spectral_norm.includes(name),
    outputScale: p.spectral_norm.includes(name) ? p.output_scale : 1,
  });
  const config = makeConfig({
    seed: p.seed,
    method: p.model,
    family: "mlp",
    inDim: truth.inDim,
    outDim: truth.outDim,
    latentDim: p.latent_dim,
    embedDim: p.hidden,
    H: net("h"),
    G: net("g"),
    Z: net("z"),
    latents: p.latents,
    innerSteps: p.inner_steps,
    beta: p.beta,
    alpha: p.alpha,
    updateHGOnce: p.hg_once,
    optimHG: { lr: p.lr },
    optimZ: { lr: p.lr_z },
    batchSize: p.batch,
    epochs: p.epochs,
    pairsPerEpoch: source.pairs,
  });
  const gpu = await ctx.gpu();
  const trainer = new CgmlTrainer(gpu, config, training);
  try {
    const curves = await fitTrainer(ctx, trainer, p.model);
    const meta: ToyModelMeta = { config, trainSeconds: trainer.trainSeconds };
    return {
      model: await encodeModelArtifact(trainer.model, META_KEY, meta),
      curves: encodeJson(curves),
    };
  } finally {
    trainer.dispose();
  }
};
