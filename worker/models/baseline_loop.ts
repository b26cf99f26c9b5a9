/**
 * The custom training loops of two baselines on the cGML backbone (same H, same decoder G):
 * - `cvae`: a conditional VAE: posterior q(z | x, y) = N(μ, σ²) from a second U-Net encoder of
 *   [x, y], z = μ + σ·ε into G's latent map; loss = L1 + kl_weight · KL / outputs (the negative
 *   ELBO of a unit-scale Laplace likelihood, per output); at test time z ~ N(0, I);
 * - `ce`: a Context Encoder: L1 + adv_weight · non-saturating GAN loss of a conditional
 *   discriminator (U-Net encoder of [ŷ or y, x] → mean pool → linear), trained in alternation.
 * Pairs come from a {@link PairSource} redrawn every epoch; the loop checkpoints every epoch to
 * the hooks' checkpoint and resumes from it.
 * @module
 */
import {
  type CgmlConfig,
  CgmlModel,
  type ExtraLoss,
  normalizedWeights,
  weightedL1,
} from "../cgml/mod.ts";
import type { Pairs, PairSource } from "../data/mod.ts";
import type { EpochPoint, LossCurves } from "../eval/mod.ts";
import type { Gpu, Tensor } from "../gpu/mod.ts";
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
import { channelsOf } from "./backbone_config.ts";
import { fileExists, type TrainHooks } from "./hooks.ts";

/** Settings of {@link trainBaselineLoop}. */
export interface BaselineLoopParams {
  model: "cvae" | "ce";
  width: number;
  depth: number;
  epochs: number;
  batch: number;
  lr: number;
  seed: number;
  kl_weight: number;
  adv_weight: number;
}

/** What a checkpoint stores besides the tensors. */
interface LoopState {
  epoch: number;
  rng: number[];
  epochs: EpochPoint[];
  trainSeconds: number;
}

/** One minibatch on the device: inputs, targets, loss weights, and the cVAE's noise ε. */
interface Batch {
  n: number;
  x: Tensor;
  y: Tensor;
  w: Tensor | null;
  eps: Float32Array | null;
}

/**
 * The networks and optimisers of a baseline: the backbone, the auxiliary encoder with its
 * linear head (the cVAE's posterior or the CE's discriminator) and their Adam optimisers.
 */
class BaselineNets {
  readonly model: CgmlModel;
  readonly rng: Rng;
  readonly aux: UNetEncoder;
  readonly head: Linear;
  readonly optG: Adam;
  readonly optD: Adam | null;

  constructor(gpu: Gpu, readonly config: CgmlConfig, readonly p: BaselineLoopParams) {
    this.model = new CgmlModel(gpu, config);
    this.rng = new Rng((p.seed * 7919 + 31) >>> 0);
    const channels = channelsOf(p.width, p.depth);
    const inChannels = config.conv.inShape[2] + config.conv.outShape[2];
    this.aux = new UNetEncoder(gpu, this.rng, { widths: channels, slope: 0.2, inChannels });
    const d = config.latentDim;
    this.head = new Linear(gpu, this.rng, channels.at(-1)!, p.model === "cvae" ? 2 * d : 1);
    const auxParams = [...this.aux.parameters("aux."), ...this.head.parameters("head.")];
    const hg = this.model.parametersHG();
    this.optG = new Adam(gpu, p.model === "cvae" ? [...hg, ...auxParams] : hg, { lr: p.lr });
    this.optD = p.model === "ce" ? new Adam(gpu, auxParams, { lr: p.lr, beta1: 0.5 }) : null;
  }

  /** Every tensor a checkpoint holds. */
  state(): NamedTensor[] {
    return [
      ...this.model.state(),
      ...this.aux.state("aux."),
      ...this.head.state("head."),
      ...this.optG.state("optG."),
      ...(this.optD?.state("optD.") ?? []),
    ];
  }

  /** The auxiliary encoder's pooled bottleneck through the head, on [first, second] channels. */
  judge(tape: Tape, first: Tensor, second: Tensor): Tensor {
    const levels = this.aux.forward(tape, ops.concat(tape, [first, second], 3));
    return this.head.forward(tape, ops.mean(tape, levels.at(-1)!, [1, 2]));
  }

  dispose(): void {
    this.model.dispose();
    this.aux.dispose();
    this.head.dispose();
    this.optG.dispose();
    this.optD?.dispose();
  }
}

/**
 * Trains the cVAE or the Context Encoder; `encode` serialises the trained backbone. Returns the
 * model's bytes and the loss curves.
 */
export async function trainBaselineLoop(
  gpu: Gpu,
  config: CgmlConfig,
  source: PairSource,
  p: BaselineLoopParams,
  hooks: TrainHooks,
  encode: (model: CgmlModel) => Promise<Uint8Array>,
  extraLoss?: ExtraLoss,
): Promise<{ model: Uint8Array; curves: LossCurves }> {
  const nets = new BaselineNets(gpu, config, p);
  try {
    const state = await restore(nets, hooks.checkpoint);
    for (let epoch = state.epoch; epoch < p.epochs; epoch++) {
      const start = performance.now();
      const sums = await trainEpoch(nets, source.draw(epoch), source.n, epoch, hooks, extraLoss);
      const seconds = (performance.now() - start) / 1000;
      state.trainSeconds += seconds;
      state.epochs.push({
        epoch: epoch + 1,
        loss: sums[0],
        terms: p.model === "cvae" ? { kl: sums[1] } : { adv: sums[1], disc: sums[2] },
        seconds,
      });
      hooks.progress({ unit: "epoch", done: epoch + 1, total: p.epochs, loss: sums[0] });
      state.epoch = epoch + 1;
      await save(nets, hooks.checkpoint, state);
    }
    const curves: LossCurves = {
      model: p.model,
      epochs: state.epochs,
      samplesPerSecond: state.trainSeconds > 0
        ? (state.epochs.length * source.n) / state.trainSeconds
        : 0,
      trainSeconds: state.trainSeconds,
    };
    return { model: await encode(nets.model), curves };
  } finally {
    nets.dispose();
  }
}

/** The state of the checkpoint at `path`, or a fresh start when there is none. */
async function restore(nets: BaselineNets, path: string): Promise<LoopState> {
  if (!await fileExists(path)) return { epoch: 0, rng: [], epochs: [], trainSeconds: 0 };
  const meta = await loadCheckpoint(path, nets.state());
  const saved = JSON.parse(meta["baseline.state"]) as LoopState;
  nets.optG.restoreMetadata(meta, "optG.");
  nets.optD?.restoreMetadata(meta, "optD.");
  nets.rng.state = saved.rng;
  return saved;
}

/** Writes the whole training state after an epoch. */
async function save(nets: BaselineNets, path: string, state: LoopState): Promise<void> {
  await saveCheckpoint(path, nets.model.gpu, nets.state(), {
    "baseline.state": JSON.stringify({ ...state, rng: nets.rng.state }),
    ...nets.optG.metadata("optG."),
    ...(nets.optD?.metadata("optD.") ?? {}),
  });
}

/** One epoch of minibatch steps (one submit each); returns the mean loss terms. */
async function trainEpoch(
  nets: BaselineNets,
  pairs: Pairs,
  n: number,
  epoch: number,
  hooks: TrainHooks,
  extraLoss: ExtraLoss | undefined,
): Promise<number[]> {
  const { config, p, rng } = nets;
  const gpu = nets.model.gpu;
  const start = performance.now();
  const B = p.batch;
  const steps = Math.ceil(n / B);
  const order = Array.from({ length: n }, (_, i) => i);
  rng.shuffle(order);
  const meters = [new LossMeter(), new LossMeter(), new LossMeter()];
  for (let s = 0; s < steps; s++) {
    hooks.signal?.throwIfAborted();
    const idx = order.slice(s * B, (s + 1) * B);
    const host = gatherBatch(config, pairs, idx);
    const eps = p.model === "cvae" ? rng.normalArray(idx.length * config.latentDim) : null;
    const losses = gpu.scope(() => {
      const batch: Batch = {
        n: idx.length,
        x: gpu.tensor(host.x, [idx.length, config.inDim]),
        y: gpu.tensor(host.y, [idx.length, config.outDim]),
        w: host.w ? gpu.tensor(host.w, [idx.length, config.outDim]) : null,
        eps,
      };
      return p.model === "cvae" ? cvaeStep(nets, batch, extraLoss) : ceStep(nets, batch, extraLoss);
    });
    losses.forEach((l, k) => {
      meters[k].add(l);
      l.dispose();
    });
    gpu.submit();
    hooks.progress({
      unit: "epoch",
      done: epoch + (s + 1) / steps,
      total: p.epochs,
      eta: ((performance.now() - start) / 1000 / (s + 1)) * (steps * (p.epochs - epoch) - s - 1),
    });
  }
  const sums: number[] = [];
  for (const m of meters) sums.push(await m.read());
  return sums;
}

/** The rows `idx` of an epoch's pairs; loss weights normalised per row. */
function gatherBatch(
  config: CgmlConfig,
  pairs: Pairs,
  idx: readonly number[],
): { x: Float32Array; y: Float32Array; w: Float32Array | null } {
  const cells = config.outDim;
  const x = new Float32Array(idx.length * config.inDim);
  const y = new Float32Array(idx.length * cells);
  const w = pairs.w ? new Float32Array(idx.length * cells) : null;
  idx.forEach((r, i) => {
    x.set(pairs.x.subarray(r * config.inDim, (r + 1) * config.inDim), i * config.inDim);
    y.set(pairs.y.subarray(r * cells, (r + 1) * cells), i * cells);
    w?.set(normalizedWeights(pairs.w!.subarray(r * cells, (r + 1) * cells)), i * cells);
  });
  return { x, y, w };
}

/** `loss` plus the extra term on the prediction, when there is one. */
function withExtra(tape: Tape, loss: Tensor, yhat: Tensor, extra: ExtraLoss | undefined): Tensor {
  return extra ? ops.add(tape, loss, extra(tape, yhat)) : loss;
}

/** A cVAE step: reconstruction through z = μ + σ·ε, plus the KL term; returns [rec, kl]. */
function cvaeStep(nets: BaselineNets, b: Batch, extra: ExtraLoss | undefined): Tensor[] {
  const { config, p, model } = nets;
  const gpu = model.gpu;
  const [height, width, inChannels] = config.conv.inShape;
  const d = config.latentDim;
  const tape = new Tape(gpu);
  try {
    const h = model.nets.encode(tape, b.x);
    const x4 = b.x.reshape([b.n, height, width, inChannels]);
    const y4 = ops.reshape(tape, b.y, [b.n, height, width, config.conv.outShape[2]]);
    const stats = nets.judge(tape, x4, y4);
    const mu = ops.slice(tape, stats, 1, 0, d);
    const logvar = ops.slice(tape, stats, 1, d, d);
    const std = ops.unaryOp(tape, "exp", ops.scale(tape, logvar, 0.5));
    const z = ops.add(tape, mu, ops.mul(tape, std, gpu.tensor(b.eps!, [b.n, d])));
    const yhat = model.nets.generate(tape, h, z);
    const rec = weightedL1(tape, yhat, b.y, b.w);
    const klTerms = ops.sub(
      tape,
      ops.add(tape, ops.unaryOp(tape, "exp", logvar), ops.mul(tape, mu, mu)),
      ops.addScalar(tape, logvar, 1),
    );
    const kl = ops.scale(tape, ops.mean(tape, klTerms), 0.5 * d);
    const loss = ops.add(tape, rec, ops.scale(tape, kl, p.kl_weight / config.outDim));
    nets.optG.minimize(tape, withExtra(tape, loss, yhat, extra));
    return gpu.keep([rec.reshape([1]), kl.reshape([1])]);
  } finally {
    tape.dispose();
  }
}

/**
 * A Context Encoder step: a discriminator update on real and generated outputs, then G/H on
 * L1 + the adversarial term; returns [rec, adv, disc].
 */
function ceStep(nets: BaselineNets, b: Batch, extra: ExtraLoss | undefined): Tensor[] {
  const { config, p, model } = nets;
  const gpu = model.gpu;
  const [height, width, inChannels] = config.conv.inShape;
  const shape = [b.n, height, width, config.conv.outShape[2]];
  const tape = new Tape(gpu);
  const tapeD = new Tape(gpu);
  try {
    const h = model.nets.encode(tape, b.x);
    const x4 = b.x.reshape([b.n, height, width, inChannels]);
    const y4 = ops.reshape(tape, b.y, shape);
    const yhat = model.nets.generate(tape, h, null);
    const yhat4 = ops.reshape(tape, yhat, shape);
    const real = nets.judge(tapeD, y4, x4);
    const fake = nets.judge(tapeD, tapeD.stopGradient(yhat4), x4);
    const lossD = ops.add(
      tapeD,
      ops.mean(tapeD, ops.softplus(tapeD, ops.scale(tapeD, real, -1))),
      ops.mean(tapeD, ops.softplus(tapeD, fake)),
    );
    nets.optD!.minimize(tapeD, lossD);
    const rec = weightedL1(tape, yhat, b.y, b.w);
    const adv = ops.mean(
      tape,
      ops.softplus(tape, ops.scale(tape, nets.judge(tape, yhat4, x4), -1)),
    );
    const loss = ops.add(tape, rec, ops.scale(tape, adv, p.adv_weight));
    nets.optG.minimize(tape, withExtra(tape, loss, yhat, extra));
    return gpu.keep([rec.reshape([1]), adv.reshape([1]), lossD.reshape([1])]);
  } finally {
    tapeD.dispose();
    tape.dispose();
  }
}
