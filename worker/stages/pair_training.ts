/**
 * Training on (input, target) pairs that a stage redraws every epoch (corrupted maps, masked
 * digits, lightness → colour): the {@link PairSource} interface, cGML and the L1 regressor by
 * `CgmlTrainer` with checkpoints every epoch, and the loss curves a stage returns.
 * @module
 */
import { type CgmlConfig, CgmlTrainer, type ExtraLoss } from "../cgml/mod.ts";
import type { MultimodalData } from "../data/mod.ts";
import { encodeJson } from "./artifacts.ts";
import type { EpochPoint, LossCurves } from "./curves.ts";
import { encodeMapModel, type MapTarget } from "./map_model.ts";
import { fileExists, type StageContext } from "./types.ts";

/** One epoch's pairs: inputs [n, inDim], targets [n, outDim], loss weights [n, outDim] or null. */
export interface Pairs {
  x: Float32Array;
  y: Float32Array;
  w: Float32Array | null;
}

/** Training pairs redrawn every epoch. */
export interface PairSource {
  /** Pairs per epoch. */
  n: number;
  inDim: number;
  outDim: number;
  /** Whether {@link PairSource.draw} returns loss weights. */
  weighted: boolean;
  /** The pairs of epoch `epoch` (0-based), the same for the same epoch. */
  draw(epoch: number): Pairs;
}

/**
 * Trains cGML or the plain L1 regressor with `CgmlTrainer` on `source` (redrawn before every
 * epoch), checkpointing every epoch to `ctx.checkpoint`; returns the `model` and `curves`
 * artifacts.
 */
export async function trainWithCgmlTrainer(
  ctx: StageContext,
  kind: "cgml" | "l1",
  config: CgmlConfig,
  source: PairSource,
  target: MapTarget,
  extraLoss?: ExtraLoss,
): Promise<Record<string, Uint8Array>> {
  const n = source.n;
  const data: MultimodalData = {
    n,
    inDim: source.inDim,
    outDim: source.outDim,
    x: new Float32Array(n * source.inDim),
    y: new Float32Array(n * source.outDim),
    mode: null,
    modeNames: [],
    xNames: [],
    yNames: [],
  };
  const weights = source.weighted ? new Float32Array(n * source.outDim) : undefined;
  const redraw = (epoch: number) => {
    const pairs = source.draw(epoch);
    data.x.set(pairs.x);
    data.y.set(pairs.y);
    if (weights && pairs.w) weights.set(pairs.w);
  };
  const gpu = await ctx.gpu();
  const trainer = new CgmlTrainer(gpu, config, { kind: "fixed", data, weights }, { extraLoss });
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
