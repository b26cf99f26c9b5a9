/**
 * Training by Algorithm 1 as worker/cgml/README.md pins it, for each minibatch (x, y) with latents z₀
 * (persistent per sample, or fresh per minibatch):
 * ```
 * for t in 0 .. l−1:
 *   z_{t+1} = normalize(z_t − β ∇_z Ê(G(H(x), z_t), y))     H, G, Z frozen
 *   ρ_t = α‖z_{t+1} − z_t‖; step Z on L1(Z(z_t, H(x)), (z_{t+1}, ρ_t))   only Z moves
 *   step H, G on L1(G(H(x), z_{t+1}), y)                     (or once after the l steps)
 * store z_l as the samples' latents (persistent mode)
 * ```
 * Ê is the L1 error per sample (mean over output coordinates). The plain L1 regressor trains
 * H, G on L1(G(H(x)), y). Optional per-output weights turn every L1 on the outputs (Ê and the
 * H/G loss) into a weighted mean Σ w·|ŷ − y| / Σ w per sample. A whole step is recorded into one command buffer and submitted once;
 * loss terms are summed on the GPU and read back every `lossEvery` steps and at epoch ends.
 * The trainer saves and restores its whole state (weights, Adam moments, spectral-norm vectors,
 * persistent latents, RNG state, epoch, loss curve) as a safetensors checkpoint.
 * @module
 */
import { accumulate, fill, gatherRows, latentStep, scatterRows } from "../gpu/kernels/mod.ts";
import { Adam, loadCheckpoint, type NamedTensor, ops, saveCheckpoint, Tape } from "../nn/mod.ts";
import { type AdamConfig, type CgmlConfig, scheduledLr } from "./config.ts";
import { CgmlModel } from "./model.ts";
import type { Encoding } from "./networks.ts";
import { sampleSphere } from "./sphere.ts";
import { type Gpu, type Tensor } from "../gpu/mod.ts";
import { Rng } from "../lib/mod.ts";
import type { MultimodalData } from "../data/mod.ts";

/**
 * Where training pairs come from: drawn fresh every epoch, or a fixed set, optionally with
 * per-output loss weights `weights` ([n, outDim], ≥ 0; read every epoch, so they may be
 * rewritten in place together with the data). Without weights every output counts equally.
 */
export type TrainingData =
  | { kind: "fresh"; sample: (rng: Rng, n: number) => MultimodalData }
  | { kind: "fixed"; data: MultimodalData; weights?: Float32Array };

/**
 * An extra term added to the H/G loss of every update (e.g. the colour-histogram prior of the
 * paper's Sec. 5.2), recorded on the H/G tape from the batch prediction ŷ ([B, outDim]); it
 * returns a [1] tensor. The latent steps use the L1 energy Ê alone.
 */
export type ExtraLoss = (tape: Tape, prediction: Tensor) => Tensor;

/** Options of the {@link CgmlTrainer} constructor. */
export interface TrainerOptions {
  /** Added to the H/G loss. */
  extraLoss?: ExtraLoss;
}

/** Mean loss terms over the steps since the previous reading. */
export interface LossTerms {
  /** L1 loss of the H/G updates, L1(G(H(x), z_{t+1}), y) (or of the L1 regressor). */
  fit: number;
  /** L1 loss of the Z updates (NaN for the L1 regressor). */
  mover: number;
  /** Ê at the minibatch's starting latents z₀ (NaN for the L1 regressor). */
  start: number;
  /** Mean momentum target ρ (NaN for the L1 regressor). */
  rho: number;
}

/** One point of the loss curve. */
export interface LossPoint {
  /** Global step count when read. */
  step: number;
  /** Epoch (1-based) the steps belong to. */
  epoch: number;
  /** The terms. */
  losses: LossTerms;
}

/** What the progress callback receives, after every step and at the end of every epoch. */
export interface TrainProgress {
  /** "step" after a step, "epoch" after an epoch (and its checkpoint). */
  phase: "step" | "epoch";
  /** Current epoch, 1-based (the one just finished when phase is "epoch"). */
  epoch: number;
  /** Total epochs. */
  epochs: number;
  /** Steps done so far (global). */
  step: number;
  /** Steps of the whole run. */
  totalSteps: number;
  /** Latest loss reading (null before the first). */
  losses: LossTerms | null;
  /** Training pairs per second in this session. */
  samplesPerSecond: number;
  /** Estimated seconds left. */
  etaSeconds: number;
  /** Training seconds so far, over all sessions. */
  elapsedSeconds: number;
}

/** Options of {@link CgmlTrainer.fit}. */
export interface FitOptions {
  /** Called after every step and every epoch. */
  onProgress?: (p: TrainProgress) => void;
  /** Checkpoint file written at the end of every `checkpointEvery` epochs (and the last). */
  checkpoint?: string;
  /** Epochs between checkpoints (default 1). */
  checkpointEvery?: number;
  /** Stops (rejecting with its reason) before the next step once aborted. */
  signal?: AbortSignal;
}

const SLOTS = { fit: 0, mover: 1, start: 2, rho: 3 } as const;
const META_KEY = "cgml.trainer";

interface TrainerMeta {
  version: 1;
  config: CgmlConfig;
  epoch: number;
  step: number;
  rng: number[];
  curve: LossPoint[];
  trainSeconds: number;
}

function adam(gpu: Gpu, params: NamedTensor[], c: AdamConfig): Adam {
  return new Adam(gpu, params, { lr: c.lr, beta1: c.beta1, beta2: c.beta2, eps: c.eps });
}

/** Trains a {@link CgmlModel} (cGML or the plain L1 regressor) on {@link TrainingData}. */
export class CgmlTrainer {
  /** The device. */
  readonly gpu: Gpu;
  /** The model being trained. */
  readonly model: CgmlModel;
  /** Its configuration. */
  readonly config: CgmlConfig;
  /** The data. */
  readonly data: TrainingData;
  /** Epochs completed. */
  epoch = 0;
  /** Steps completed. */
  step = 0;
  /** Loss readings so far. */
  curve: LossPoint[] = [];
  /** Training seconds over all sessions (excluding checkpoint writes). */
  trainSeconds = 0;

  readonly #rng: Rng;
  readonly #optHG: Adam;
  readonly #optZ: Adam | null;
  readonly #latents: Tensor | null;
  readonly #acc: Tensor;
  readonly #counts = { fit: 0, mover: 0, start: 0, rho: 0 };
  readonly #extraLoss: ExtraLoss | null;

  /** Builds the model, its optimisers and (persistent mode) the latents of every sample. */
  constructor(gpu: Gpu, config: CgmlConfig, data: TrainingData, options: TrainerOptions = {}) {
    this.gpu = gpu;
    this.#extraLoss = options.extraLoss ?? null;
    this.config = config;
    this.data = data;
    this.model = new CgmlModel(gpu, config);
    this.#rng = new Rng((config.seed * 7919 + 17) >>> 0);
    this.#optHG = adam(gpu, this.model.parametersHG(), config.optimHG);
    const cgml = config.method === "cgml";
    this.#optZ = cgml ? adam(gpu, this.model.parametersZ(), config.optimZ) : null;
    const d = config.latentDim;
    if (data.kind === "fixed") {
      const { inDim, outDim, n } = data.data;
      if (inDim !== config.inDim || outDim !== config.outDim || n === 0) {
        throw new RangeError(
          `Cannot train: the data has ${n} rows of ${inDim} → ${outDim}, the model expects ${config.inDim} → ${config.outDim}`,
        );
      }
    }
    if (cgml && config.latents === "persistent") {
      if (data.kind !== "fixed") {
        throw new RangeError("Cannot train: persistent latents need a fixed data set");
      }
      this.#latents = gpu.tensor(sampleSphere(this.#rng, data.data.n, d), [data.data.n, d]);
    } else {
      this.#latents = null;
    }
    this.#acc = gpu.zeros([4]);
  }

  /** Learning rates of H/G and of Z (NaN for the L1 regressor) in the current or last epoch. */
  get learningRates(): { hg: number; z: number } {
    return { hg: this.#optHG.groups[0].lr, z: this.#optZ?.groups[0].lr ?? NaN };
  }

  /** Pairs per epoch. */
  get pairsPerEpoch(): number {
    return this.data.kind === "fixed" ? this.data.data.n : this.config.pairsPerEpoch;
  }

  /** Steps per epoch. */
  get stepsPerEpoch(): number {
    return Math.ceil(this.pairsPerEpoch / this.config.batchSize);
  }

  /** Trains until `config.epochs` epochs are done (continuing a restored run). */
  async fit(opts: FitOptions = {}): Promise<void> {
    const c = this.config;
    const every = opts.checkpointEvery ?? 1;
    const totalSteps = c.epochs * this.stepsPerEpoch;
    const sessionStart = performance.now();
    const firstStep = this.step;
    let latest: LossTerms | null = this.curve.at(-1)?.losses ?? null;
    const report = (phase: TrainProgress["phase"]) => {
      const seconds = (performance.now() - sessionStart) / 1000;
      const done = this.step - firstStep;
      const rate = done > 0 && seconds > 0 ? done / seconds : 0;
      opts.onProgress?.({
        phase,
        epoch: phase === "epoch" ? this.epoch : Math.min(this.epoch + 1, c.epochs),
        epochs: c.epochs,
        step: this.step,
        totalSteps,
        losses: latest,
        samplesPerSecond: rate * c.batchSize,
        etaSeconds: rate > 0 ? (totalSteps - this.step) / rate : NaN,
        elapsedSeconds: this.trainSeconds + seconds,
      });
    };
    while (this.epoch < c.epochs) {
      const epochStart = performance.now();
      this.#scheduleLr();
      const batches = this.#epochBatches();
      for (let b = 0; b < batches.length; b++) {
        opts.signal?.throwIfAborted();
        this.#trainStep(batches[b]);
        this.step++;
        if ((b + 1) % c.lossEvery === 0 || b + 1 === batches.length) {
          latest = await this.#readLosses();
        }
        report("step");
      }
      this.epoch++;
      this.trainSeconds += (performance.now() - epochStart) / 1000;
      if (opts.checkpoint && (this.epoch % every === 0 || this.epoch === c.epochs)) {
        await this.save(opts.checkpoint);
      }
      report("epoch");
    }
  }

  /** Saves the whole training state to a safetensors file. */
  async save(path: string): Promise<void> {
    const meta: TrainerMeta = {
      version: 1,
      config: this.config,
      epoch: this.epoch,
      step: this.step,
      rng: this.#rng.state,
      curve: this.curve,
      trainSeconds: this.trainSeconds,
    };
    await saveCheckpoint(path, this.gpu, this.#stateTensors(), {
      [META_KEY]: JSON.stringify(meta),
      ...this.#optHG.metadata("optHG."),
      ...(this.#optZ?.metadata("optZ.") ?? {}),
    });
  }

  /**
   * Restores a state saved by {@link CgmlTrainer.save}. The configuration must match except
   * for `epochs` (a run may be extended).
   */
  async restore(path: string): Promise<void> {
    const metadata = await loadCheckpoint(path, this.#stateTensors());
    const raw = metadata[META_KEY];
    if (raw === undefined) {
      throw new Error(`Cannot restore training state from ${path}: no "${META_KEY}" metadata`);
    }
    const meta = JSON.parse(raw) as TrainerMeta;
    const strip = (cfg: CgmlConfig) => JSON.stringify({ ...cfg, epochs: 0 });
    if (meta.version !== 1 || strip(meta.config) !== strip(this.config)) {
      throw new Error(
        `Cannot restore training state from ${path}: it was written for another configuration`,
      );
    }
    this.#optHG.restoreMetadata(metadata, "optHG.");
    this.#optZ?.restoreMetadata(metadata, "optZ.");
    this.epoch = meta.epoch;
    this.step = meta.step;
    this.#rng.state = meta.rng;
    this.curve = meta.curve;
    this.trainSeconds = meta.trainSeconds;
  }

  /** Frees the model, optimisers and latents. */
  dispose(): void {
    this.model.dispose();
    this.#optHG.dispose();
    this.#optZ?.dispose();
    this.#latents?.dispose();
    this.#acc.dispose();
  }

  /** Sets both optimisers' learning rates for the coming epoch (`config.lrSchedule`). */
  #scheduleLr(): void {
    const c = this.config;
    const at = (lr: number) => scheduledLr(lr, c.lrSchedule, this.epoch, c.epochs);
    for (const g of this.#optHG.groups) g.lr = at(c.optimHG.lr);
    for (const g of this.#optZ?.groups ?? []) g.lr = at(c.optimZ.lr);
  }

  #stateTensors(): NamedTensor[] {
    return [
      ...this.model.state(),
      ...this.#optHG.state("optHG."),
      ...(this.#optZ?.state("optZ.") ?? []),
      ...(this.#latents ? [{ name: "latents", tensor: this.#latents }] : []),
    ];
  }

  #epochBatches(): Batch[] {
    const c = this.config;
    const B = c.batchSize;
    const data = this.data.kind === "fixed"
      ? this.data.data
      : this.data.sample(this.#rng, c.pairsPerEpoch);
    const weights = this.data.kind === "fixed" ? this.data.weights ?? null : null;
    const order = Array.from({ length: data.n }, (_, i) => i);
    if (this.data.kind === "fixed") this.#rng.shuffle(order);
    const batches: Batch[] = [];
    for (let s = 0; s < data.n; s += B) {
      const idx = order.slice(s, s + B);
      const x = new Float32Array(idx.length * c.inDim);
      const y = new Float32Array(idx.length * c.outDim);
      const w = weights ? new Float32Array(idx.length * c.outDim) : null;
      idx.forEach((r, i) => {
        x.set(data.x.subarray(r * c.inDim, (r + 1) * c.inDim), i * c.inDim);
        y.set(data.y.subarray(r * c.outDim, (r + 1) * c.outDim), i * c.outDim);
        if (w && weights) {
          w.set(
            normalizedWeights(weights.subarray(r * c.outDim, (r + 1) * c.outDim)),
            i * c.outDim,
          );
        }
      });
      batches.push({ x, y, w, idx });
    }
    return batches;
  }

  #trainStep(batch: Batch): void {
    const gpu = this.gpu;
    const c = this.config;
    const B = batch.idx.length;
    gpu.scope(() => {
      const x = gpu.tensor(batch.x, [B, c.inDim]);
      const y = gpu.tensor(batch.y, [B, c.outDim]);
      const w = batch.w ? gpu.tensor(batch.w, [B, c.outDim]) : null;
      if (c.method === "l1") {
        const tape = new Tape(gpu);
        const prediction = this.model.nets.generate(tape, this.model.nets.encode(tape, x), null);
        const loss = weightedL1(tape, prediction, y, w);
        minimize(this.#optHG, tape, this.#withExtra(tape, loss, prediction), fill(gpu, [1], 1));
        this.#add("fit", loss);
        tape.dispose();
        return;
      }
      const d = c.latentDim;
      const latents = this.#latents;
      const idx = latents ? gpu.tensor(batch.idx, [B]) : null;
      let z = latents && idx
        ? gatherRows(gpu, latents, idx)
        : gpu.tensor(sampleSphere(this.#rng, B, d), [B, d]);
      this.#cgmlInnerSteps(x, y, w, z, (last) => z = last);
      if (latents && idx) scatterRows(gpu, latents, idx, z);
    });
    gpu.submit();
  }

  #cgmlInnerSteps(
    x: Tensor,
    y: Tensor,
    w: Tensor | null,
    z0: Tensor,
    done: (z: Tensor) => void,
  ): void {
    const gpu = this.gpu;
    const c = this.config;
    const nets = this.model.nets;
    const ones = fill(gpu, [x.shape[0]], 1);
    const one = fill(gpu, [1], 1);
    let z = z0;
    let tapeHG: Tape | null = null;
    let h: Encoding | null = null;
    for (let t = 0; t < c.innerSteps; t++) {
      if (!tapeHG) {
        tapeHG = new Tape(gpu);
        h = nets.encode(tapeHG, x);
      }
      const enc = h!;
      const tapeLatent = new Tape(gpu, { training: false });
      const err = weightedL1(tapeLatent, nets.generate(tapeLatent, enc, z), y, w, "per_sample");
      const [grad] = tapeLatent.gradient(err, [z], { dy: ones });
      if (t === 0) this.#add("start", err);
      const { next, target } = latentStep(gpu, z, grad, c.beta, c.alpha);
      this.#add("rho", target, c.latentDim);
      const tapeZ = new Tape(gpu);
      const moverLoss = ops.l1Loss(tapeZ, nets.move(tapeZ, z, enc), target);
      minimize(this.#optZ!, tapeZ, moverLoss, one);
      this.#add("mover", moverLoss);
      tapeZ.dispose();
      tapeLatent.dispose();
      z = next;
      if (!c.updateHGOnce || t === c.innerSteps - 1) {
        const prediction = nets.generate(tapeHG, enc, z);
        const fit = weightedL1(tapeHG, prediction, y, w);
        minimize(this.#optHG, tapeHG, this.#withExtra(tapeHG, fit, prediction), one);
        this.#add("fit", fit);
        tapeHG.dispose();
        tapeHG = null;
      }
    }
    done(z);
  }

  #withExtra(tape: Tape, loss: Tensor, prediction: Tensor): Tensor {
    return this.#extraLoss ? ops.add(tape, loss, this.#extraLoss(tape, prediction)) : loss;
  }

  #add(term: keyof typeof SLOTS, x: Tensor, column = 0): void {
    accumulate(this.gpu, this.#acc, SLOTS[term], x, column);
    this.#counts[term]++;
  }

  async #readLosses(): Promise<LossTerms> {
    const sums = await this.#acc.read();
    const mean = (k: keyof typeof SLOTS) =>
      this.#counts[k] > 0 ? sums[SLOTS[k]] / this.#counts[k] : NaN;
    const losses = {
      fit: mean("fit"),
      mover: mean("mover"),
      start: mean("start"),
      rho: mean("rho"),
    };
    this.#acc.write(new Float32Array(this.#acc.size));
    this.#counts.fit =
      this.#counts.mover =
      this.#counts.start =
      this.#counts.rho =
        0;
    this.curve.push({ step: this.step, epoch: this.epoch + 1, losses });
    return losses;
  }
}

/**
 * L1 error of `pred` against `target` ([B, D]): the mean over all elements ([1]) or over each
 * row ([B]), each element weighted by `w` ([B, D], normalised so each row's mean is 1; see
 * {@link normalizedWeights}), or the plain `ops.l1Loss` when `w` is null.
 */
export function weightedL1(
  tape: Tape,
  pred: Tensor,
  target: Tensor,
  w: Tensor | null,
  reduction: "mean" | "per_sample" = "mean",
): Tensor {
  if (!w) return ops.l1Loss(tape, pred, target, reduction);
  const err = ops.mul(tape, ops.unaryOp(tape, "abs", ops.sub(tape, pred, target)), w);
  return reduction === "mean"
    ? ops.reshape(tape, ops.mean(tape, err), [1])
    : ops.mean(tape, err, [1]);
}

/**
 * One row of loss weights scaled to mean 1 (all zeros stays all zeros), so a weighted mean over
 * the row is the plain mean of the weighted terms.
 */
export function normalizedWeights(w: Float32Array): Float32Array {
  let sum = 0;
  for (const v of w) sum += v;
  const out = new Float32Array(w.length);
  if (sum > 0) {
    const f = w.length / sum;
    for (let k = 0; k < w.length; k++) out[k] = w[k] * f;
  }
  return out;
}

/** One update of `opt` on `loss` recorded on `tape`, seeded with the one-element tensor `one`. */
function minimize(opt: Adam, tape: Tape, loss: Tensor, one: Tensor): void {
  const grads = tape.gradient(loss, opt.parameters, { dy: one });
  opt.step(grads);
  for (const g of grads) g.dispose();
}

interface Batch {
  x: Float32Array;
  y: Float32Array;
  w: Float32Array | null;
  idx: number[];
}
