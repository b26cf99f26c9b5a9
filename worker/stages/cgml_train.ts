/**
 * `cgml.train@1`: cGML (Algorithm 1, `CgmlTrainer`) on the conv backbone, corrupted map in,
 * clean map out; the corruption is redrawn from the recipe at the start of every epoch, and the
 * whole training state is checkpointed every epoch (so `--resume` continues a killed run).
 * @module
 */
import type { cgmlTrain, StageParams } from "../../pipelines/mod.ts";
import { type CgmlConfig, CgmlTrainer } from "../cgml/mod.ts";
import { encodeJson } from "./artifacts.ts";
import { corruptMaps, epochRng, readRecipe, type Recipe } from "./corrupt.ts";
import type { EpochPoint, LossCurves } from "./curves.ts";
import {
  backboneConfig,
  encodeMapModel,
  lossWeights,
  type MapTarget,
  targetsOf,
} from "./map_model.ts";
import { type MapSet, readMapSet, splitRows } from "./spectral_maps.ts";
import { fileExists, paramsOf, type StageContext, type StageImpl } from "./types.ts";
import type { MultimodalData } from "../data/mod.ts";

/** Trains cGML on the train split. */
export const run: StageImpl = async (ctx) => {
  const p = paramsOf<StageParams<typeof cgmlTrain>>(ctx);
  const maps = readMapSet(await ctx.input("maps"));
  const recipe = readRecipe(await ctx.input("corruption"));
  const { height, width } = maps.meta;
  const config = backboneConfig("cgml", height, width, p, {
    latents: p.latents,
    innerSteps: p.inner_steps,
    beta: p.beta,
    alpha: p.alpha,
    updateHGOnce: p.hg_once,
    optimZ: { lr: p.lr_z },
    H: { spectralNorm: p.spectral_norm.includes("h"), outputScale: 1 },
    G: {
      spectralNorm: p.spectral_norm.includes("g"),
      outputScale: p.spectral_norm.includes("g") ? p.output_scale : 1,
    },
    Z: {
      spectralNorm: p.spectral_norm.includes("z"),
      outputScale: p.spectral_norm.includes("z") ? p.output_scale : 1,
    },
  });
  return await trainWithCgmlTrainer(ctx, "cgml", config, maps, recipe, p.target, p.clean_weight);
};

/**
 * Trains cGML or the plain L1 regressor with `CgmlTrainer` on the train split, the corruption
 * (and with it a residual target and the loss weights) redrawn every epoch, checkpointing every
 * epoch to `ctx.checkpoint`. `cleanWeight` below 1 weights the loss towards the corrupted cells
 * ({@link lossWeights}).
 */
export async function trainWithCgmlTrainer(
  ctx: StageContext,
  kind: "cgml" | "l1",
  config: CgmlConfig,
  maps: MapSet,
  recipe: Recipe,
  target: MapTarget,
  cleanWeight: number,
): Promise<Record<string, Uint8Array>> {
  const { height, width } = maps.meta;
  const cells = height * width;
  const rows = splitRows(maps, 0);
  const data: MultimodalData = {
    n: rows.length,
    inDim: config.inDim,
    outDim: cells,
    x: new Float32Array(rows.length * config.inDim),
    y: new Float32Array(rows.length * cells),
    mode: null,
    modeNames: [],
    xNames: [],
    yNames: [],
  };
  const weights = cleanWeight === 1 ? undefined : new Float32Array(rows.length * cells);
  const redraw = (epoch: number) => {
    const { inputs, changed } = corruptMaps(
      maps.values,
      maps.valid,
      height,
      width,
      rows,
      recipe,
      epochRng(recipe, epoch),
    );
    data.x.set(inputs);
    data.y.set(targetsOf(target, maps.values, cells, rows, inputs));
    if (weights) lossWeights(changed, maps.valid, cleanWeight, weights);
  };
  const gpu = await ctx.gpu();
  const trainer = new CgmlTrainer(gpu, config, { kind: "fixed", data, weights });
  try {
    const curves = await fitTrainer(ctx, trainer, kind, redraw);
    return { model: await encodeMapModel(kind, trainer.model, target), curves: encodeJson(curves) };
  } finally {
    trainer.dispose();
  }
}

/**
 * Runs `trainer.fit` for a stage: restores `ctx.checkpoint` when it exists, checkpoints every
 * epoch, reports progress, calls `beforeEpoch(epoch)` before every epoch (0-based), and returns
 * the loss curves (per-epoch means of the readings).
 */
export async function fitTrainer(
  ctx: StageContext,
  trainer: CgmlTrainer,
  kind: string,
  beforeEpoch: (epoch: number) => void = () => {},
): Promise<LossCurves> {
  const config = trainer.config;
  if (await fileExists(ctx.checkpoint)) await trainer.restore(ctx.checkpoint);
  beforeEpoch(trainer.epoch);
  await trainer.fit({
    checkpoint: ctx.checkpoint,
    signal: ctx.signal,
    onProgress: (e) => {
      if (e.phase === "epoch" && trainer.epoch < config.epochs) beforeEpoch(trainer.epoch);
      ctx.progress({
        unit: "epoch",
        done: e.phase === "epoch" ? e.epoch : e.epoch - 1 + progressInEpoch(e.step, trainer),
        total: e.epochs,
        loss: e.losses?.fit,
        eta: e.etaSeconds,
      });
    },
  });
  const epochs: EpochPoint[] = [];
  for (let e = 1; e <= config.epochs; e++) {
    const points = trainer.curve.filter((q) => q.epoch === e);
    if (points.length === 0) continue;
    const avg = (k: "fit" | "mover" | "start" | "rho") =>
      points.reduce((s, q) => s + q.losses[k], 0) / points.length;
    epochs.push({
      epoch: e,
      loss: avg("fit"),
      terms: config.method === "cgml"
        ? { mover: avg("mover"), start: avg("start"), rho: avg("rho") }
        : {},
      seconds: trainer.trainSeconds / config.epochs,
    });
  }
  return {
    model: kind,
    epochs,
    samplesPerSecond: trainer.trainSeconds > 0
      ? (config.epochs * trainer.pairsPerEpoch) / trainer.trainSeconds
      : 0,
    trainSeconds: trainer.trainSeconds,
  };
}

function progressInEpoch(step: number, trainer: CgmlTrainer): number {
  const per = trainer.stepsPerEpoch;
  return ((step - 1) % per + 1) / per;
}
