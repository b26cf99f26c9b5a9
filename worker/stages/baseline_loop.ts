/**
 * The custom training loops of two baselines on the cGML backbone (same H, same decoder G):
 * - `cvae`: a conditional VAE: posterior q(z | x, y) = N(μ, σ²) from a second U-Net encoder of
 *   [x, y], z = μ + σ·ε into G's latent map; loss = L1 + kl_weight · KL / outputs (the negative
 *   ELBO of a unit-scale Laplace likelihood, per output); at test time z ~ N(0, I);
 * - `ce`: a Context Encoder: L1 + adv_weight · non-saturating GAN loss of a conditional
 *   discriminator (U-Net encoder of [ŷ or y, x] → mean pool → linear), trained in alternation.
 * Pairs come from a {@link PairSource} redrawn every epoch; the loop checkpoints every epoch to
 * `ctx.checkpoint` and resumes from it.
 * @module
 */
import {
  type CgmlConfig,
  CgmlModel,
  type ExtraLoss,
  normalizedWeights,
  weightedL1,
} from "../cgml/mod.ts";
import { type Tensor } from "../gpu/mod.ts";
import { Rng } from "../lib/mod.ts";
import {
  Adam,
  Linear,
  loadCheckpoint,
  LossMeter,
  type NamedTensor,
  ops,
  saveCheckpoint,
  Tape,
  UNetEncoder,
} from "../nn/mod.ts";
import { encodeJson } from "./artifacts.ts";
import type { EpochPoint, LossCurves } from "./curves.ts";
import { type BackboneParams, channelsOf, encodeMapModel, type MapTarget } from "./map_model.ts";
import type { PairSource } from "./pair_training.ts";
import { fileExists, type StageContext } from "./types.ts";

/** Settings of {@link trainBaselineLoop}. */
export interface BaselineLoopParams
  extends Pick<BackboneParams, "width" | "depth" | "epochs" | "batch" | "lr" | "seed"> {
  model: "cvae" | "ce";
  kl_weight: number;
  adv_weight: number;
  target: MapTarget;
}

/** Trains the cVAE or the Context Encoder; returns the `model` and `curves` artifacts. */
export async function trainBaselineLoop(
  ctx: StageContext,
  config: CgmlConfig,
  source: PairSource,
  p: BaselineLoopParams,
  extraLoss?: ExtraLoss,
): Promise<Record<string, Uint8Array>> {
  const [height, width, inChannels] = config.conv.inShape;
  const outChannels = config.conv.outShape[2];
  const cells = config.outDim;
  const gpu = await ctx.gpu();
  const model = new CgmlModel(gpu, config);
  const rng = new Rng((p.seed * 7919 + 31) >>> 0);
  const channels = channelsOf(p.width, p.depth);
  const d = config.latentDim;
  const withExtra = (tape: Tape, loss: Tensor, yhat: Tensor) =>
    extraLoss ? ops.add(tape, loss, extraLoss(tape, yhat)) : loss;
  const aux = new UNetEncoder(gpu, rng, {
    widths: channels,
    slope: 0.2,
    inChannels: inChannels + outChannels,
  });
  const head = new Linear(gpu, rng, channels.at(-1)!, p.model === "cvae" ? 2 * d : 1);
  const auxParams = [...aux.parameters("aux."), ...head.parameters("head.")];
  const optG = new Adam(
    gpu,
    p.model === "cvae" ? [...model.parametersHG(), ...auxParams] : model.parametersHG(),
    { lr: p.lr },
  );
  const optD = p.model === "ce" ? new Adam(gpu, auxParams, { lr: p.lr, beta1: 0.5 }) : null;
  const stateTensors = (): NamedTensor[] => [
    ...model.state(),
    ...aux.state("aux."),
    ...head.state("head."),
    ...optG.state("optG."),
    ...(optD?.state("optD.") ?? []),
  ];
  let epochs: EpochPoint[] = [];
  let trainSeconds = 0;
  let first = 0;
  try {
    if (await fileExists(ctx.checkpoint)) {
      const meta = await loadCheckpoint(ctx.checkpoint, stateTensors());
      const saved = JSON.parse(meta["baseline.state"]) as {
        epoch: number;
        rng: number[];
        epochs: EpochPoint[];
        trainSeconds: number;
      };
      optG.restoreMetadata(meta, "optG.");
      optD?.restoreMetadata(meta, "optD.");
      first = saved.epoch;
      rng.state = saved.rng;
      epochs = saved.epochs;
      trainSeconds = saved.trainSeconds;
    }
    const B = p.batch;
    const steps = Math.ceil(source.n / B);
    for (let epoch = first; epoch < p.epochs; epoch++) {
      const start = performance.now();
      const { x, y: targets, w: weights } = source.draw(epoch);
      const order = Array.from({ length: source.n }, (_, i) => i);
      rng.shuffle(order);
      const meters = [new LossMeter(), new LossMeter(), new LossMeter()];
      for (let s = 0; s < steps; s++) {
        ctx.signal?.throwIfAborted();
        const idx = order.slice(s * B, (s + 1) * B);
        const xb = new Float32Array(idx.length * config.inDim);
        const yb = new Float32Array(idx.length * cells);
        const wb = weights ? new Float32Array(idx.length * cells) : null;
        idx.forEach((r, i) => {
          xb.set(x.subarray(r * config.inDim, (r + 1) * config.inDim), i * config.inDim);
          yb.set(targets.subarray(r * cells, (r + 1) * cells), i * cells);
          wb?.set(normalizedWeights(weights!.subarray(r * cells, (r + 1) * cells)), i * cells);
        });
        const eps = p.model === "cvae" ? rng.normalArray(idx.length * d) : null;
        const losses = gpu.scope(() => {
          const n = idx.length;
          const xt = gpu.tensor(xb, [n, config.inDim]);
          const yt = gpu.tensor(yb, [n, cells]);
          const wt = wb ? gpu.tensor(wb, [n, cells]) : null;
          const x4 = xt.reshape([n, height, width, inChannels]);
          const tape = new Tape(gpu);
          try {
            const h = model.nets.encode(tape, xt);
            const y4 = ops.reshape(tape, yt, [n, height, width, outChannels]);
            const judge = (t: Tape, map: Tensor) =>
              head.forward(
                t,
                ops.mean(t, aux.forward(t, ops.concat(t, [map, x4], 3)).at(-1)!, [1, 2]),
              );
            if (p.model === "cvae") {
              const stats = head.forward(
                tape,
                ops.mean(tape, aux.forward(tape, ops.concat(tape, [x4, y4], 3)).at(-1)!, [1, 2]),
              );
              const mu = ops.slice(tape, stats, 1, 0, d);
              const logvar = ops.slice(tape, stats, 1, d, d);
              const std = ops.unaryOp(tape, "exp", ops.scale(tape, logvar, 0.5));
              const z = ops.add(tape, mu, ops.mul(tape, std, gpu.tensor(eps!, [n, d])));
              const yhat = model.nets.generate(tape, h, z);
              const rec = weightedL1(tape, yhat, yt, wt);
              const klTerms = ops.sub(
                tape,
                ops.add(tape, ops.unaryOp(tape, "exp", logvar), ops.mul(tape, mu, mu)),
                ops.addScalar(tape, logvar, 1),
              );
              const kl = ops.scale(tape, ops.mean(tape, klTerms), 0.5 * d);
              const loss = ops.add(tape, rec, ops.scale(tape, kl, p.kl_weight / cells));
              optG.minimize(tape, withExtra(tape, loss, yhat));
              return gpu.keep([rec.reshape([1]), kl.reshape([1])]);
            }
            const yhat = model.nets.generate(tape, h, null);
            const yhat4 = ops.reshape(tape, yhat, [n, height, width, outChannels]);
            const tapeD = new Tape(gpu);
            try {
              const real = judge(tapeD, y4);
              const fake = judge(tapeD, tapeD.stopGradient(yhat4));
              const lossD = ops.add(
                tapeD,
                ops.mean(tapeD, ops.softplus(tapeD, ops.scale(tapeD, real, -1))),
                ops.mean(tapeD, ops.softplus(tapeD, fake)),
              );
              optD!.minimize(tapeD, lossD);
              const rec = weightedL1(tape, yhat, yt, wt);
              const adv = ops.mean(
                tape,
                ops.softplus(tape, ops.scale(tape, judge(tape, yhat4), -1)),
              );
              optG.minimize(
                tape,
                withExtra(tape, ops.add(tape, rec, ops.scale(tape, adv, p.adv_weight)), yhat),
              );
              return gpu.keep([rec.reshape([1]), adv.reshape([1]), lossD.reshape([1])]);
            } finally {
              tapeD.dispose();
            }
          } finally {
            tape.dispose();
          }
        });
        losses.forEach((l, k) => {
          meters[k].add(l);
          l.dispose();
        });
        gpu.submit();
        ctx.progress({
          unit: "epoch",
          done: epoch + (s + 1) / steps,
          total: p.epochs,
          eta: ((performance.now() - start) / 1000 / (s + 1)) *
            (steps * (p.epochs - epoch) - s - 1),
        });
      }
      const sums: number[] = [];
      for (const m of meters) sums.push(await m.read());
      const seconds = (performance.now() - start) / 1000;
      trainSeconds += seconds;
      epochs.push({
        epoch: epoch + 1,
        loss: sums[0],
        terms: p.model === "cvae" ? { kl: sums[1] } : { adv: sums[1], disc: sums[2] },
        seconds,
      });
      ctx.progress({ unit: "epoch", done: epoch + 1, total: p.epochs, loss: sums[0] });
      await saveCheckpoint(ctx.checkpoint, gpu, stateTensors(), {
        "baseline.state": JSON.stringify({
          epoch: epoch + 1,
          rng: rng.state,
          epochs,
          trainSeconds,
        }),
        ...optG.metadata("optG."),
        ...(optD?.metadata("optD.") ?? {}),
      });
    }
    const curves: LossCurves = {
      model: p.model,
      epochs,
      samplesPerSecond: trainSeconds > 0 ? (epochs.length * source.n) / trainSeconds : 0,
      trainSeconds,
    };
    return { model: await encodeMapModel(p.model, model, p.target), curves: encodeJson(curves) };
  } finally {
    model.dispose();
    aux.dispose();
    head.dispose();
    optG.dispose();
    optD?.dispose();
  }
}
