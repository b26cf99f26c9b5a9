/**
 * Training cGML or the plain L1 regressor with `CgmlTrainer` on pairs redrawn every epoch,
 * resuming from the hooks' checkpoint and rewriting it every epoch, and the loss curves of the
 * run (per-epoch means of the loss readings).
 * @module
 */
import { type CgmlConfig, type CgmlModel, CgmlTrainer, type ExtraLoss } from "../cgml/mod.ts";
import type { MultimodalData, PairSource } from "../data/mod.ts";
import type { EpochPoint, LossCurves } from "../eval/mod.ts";
import type { Gpu } from "../gpu/mod.ts";
import { fileExists, type TrainHooks } from "./hooks.ts";

/**
 * Trains the model of `config` on `source` (redrawn before every epoch); `encode` serialises
 * the trained model before the trainer is freed.
 */
export async function fitPairs(
  gpu: Gpu,
  config: CgmlConfig,
  source: PairSource,
  hooks: TrainHooks,
  encode: (model: CgmlModel) => Promise<Uint8Array>,
  extraLoss?: ExtraLoss,
): Promise<{ model: Uint8Array; curves: LossCurves }> {
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
  const trainer = new CgmlTrainer(gpu, config, { kind: "fixed", data, weights }, { extraLoss });
  try {
    const curves = await fitTrainer(trainer, config.method, hooks, redraw);
    return { model: await encode(trainer.model), curves };
  } finally {
    trainer.dispose();
  }
}

/**
 * Runs `trainer.fit`: restores the checkpoint when it exists, checkpoints every epoch, reports
 * progress, calls `beforeEpoch(epoch)` before every epoch (0-based), and returns the loss curves
 * named `name`.
 */
export async function fitTrainer(
  trainer: CgmlTrainer,
  name: string,
  hooks: TrainHooks,
  beforeEpoch: (epoch: number) => void = () => {},
): Promise<LossCurves> {
  const config = trainer.config;
  if (await fileExists(hooks.checkpoint)) await trainer.restore(hooks.checkpoint);
  beforeEpoch(trainer.epoch);
  await trainer.fit({
    checkpoint: hooks.checkpoint,
    signal: hooks.signal,
    onProgress: (e) => {
      if (e.phase === "epoch" && trainer.epoch < config.epochs) beforeEpoch(trainer.epoch);
      hooks.progress({
        unit: "epoch",
        done: e.phase === "epoch" ? e.epoch : e.epoch - 1 + progressInEpoch(e.step, trainer),
        total: e.epochs,
        loss: e.losses?.fit,
        eta: e.etaSeconds,
      });
    },
  });
  return curvesOf(trainer, name);
}

/** Per-epoch means of the trainer's loss readings. */
function curvesOf(trainer: CgmlTrainer, name: string): LossCurves {
  const config = trainer.config;
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
    model: name,
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
