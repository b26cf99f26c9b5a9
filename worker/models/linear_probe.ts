/**
 * The linear probe: one linear layer + softmax, trained on the GPU (Adam, minibatches or the
 * full batch, an optional L2 penalty on the weights, optional decoupled weight decay) on the
 * train rows of a feature table and scored on the test rows (accuracy, per-class accuracy,
 * confusion matrix), with its artifact codec: the layer as safetensors and a card holding the
 * class names, the feature size and the standardisation.
 *
 * Features are z-scored with train statistics. With several `l2` values the penalty is chosen the
 * way linear probes usually are, on the train rows only: they are split into k stratified folds;
 * each of the first `rounds` folds (all k: k-fold cross-validation; 1: a single validation split
 * of 1/k of the train rows) is held out once, the rest standardised and fitted; the best accuracy
 * over the held-out rows wins (ties: the larger λ), and the classifier is then refit on all train
 * rows. Test rows are used only for the final evaluation.
 * @module
 */
import { accuracy, type ClassifierMetrics, confusionOf } from "../eval/mod.ts";
import type { Gpu, Tensor } from "../gpu/mod.ts";
import { Rng } from "../lib/mod.ts";
import {
  Adam,
  decodeCheckpoint,
  decodeSafetensors,
  encodeCheckpoint,
  Linear,
  ops,
  Tape,
} from "../nn/mod.ts";
import type { Progress } from "./hooks.ts";

/** Feature rows with a split ("train" / "test") and a class name each. */
export interface LabelledFeatures {
  split: readonly string[];
  labels: readonly string[];
  dim: number;
  /** [n, dim]. */
  x: Float32Array;
}

/** Params of the probe (`classifier.linear@1`). */
export interface ProbeParams {
  epochs: number;
  /** Rows per Adam step (0 = the full batch). */
  batch: number;
  lr: number;
  weight_decay: number;
  /** Candidate L2 penalties λ. */
  l2: readonly number[];
  folds: number;
  /** Folds held out in turn to choose λ (0 = all). */
  rounds: number;
  standardize: boolean;
  seed: number;
}

/** Everything that rebuilds a probe (stored with its weights). */
export interface ProbeCard {
  classes: string[];
  /** Feature size. */
  dim: number;
  /** Z-scoring of the features (train statistics), or null when they are used as they are. */
  standardize: { mean: number[]; std: number[] } | null;
  /** The L2 penalty the probe was trained with. */
  l2: number;
}

const CARD_KEY = "probe";

/**
 * Stratified folds of the `rows`: each class's rows shuffled with `rng`, then dealt round-robin
 * (continuing across classes), so fold sizes differ by at most one and every class is spread
 * evenly.
 */
export function stratifiedFolds(
  rows: readonly number[],
  label: readonly number[],
  k: number,
  rng: Rng,
): number[][] {
  const folds: number[][] = Array.from({ length: k }, () => []);
  const byClass = new Map<number, number[]>();
  for (const r of rows) byClass.set(label[r], [...(byClass.get(label[r]) ?? []), r]);
  let next = 0;
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    for (const r of rng.shuffle(byClass.get(c)!)) folds[next++ % k].push(r);
  }
  return folds;
}

/** Per-column mean and std ([dim] each) over the `fit` rows of `x` ([n, dim]); a zero std is 1. */
export function columnStats(
  x: Float32Array,
  dim: number,
  fit: readonly number[],
): { mean: number[]; std: number[] } {
  const mean: number[] = [];
  const std: number[] = [];
  for (let j = 0; j < dim; j++) {
    let mu = 0, sq = 0;
    for (const i of fit) mu += x[i * dim + j] / fit.length;
    for (const i of fit) sq += (x[i * dim + j] - mu) ** 2 / fit.length;
    mean.push(mu);
    std.push(Math.sqrt(sq) || 1);
  }
  return { mean, std };
}

/** A copy of `x` ([n, dim]) with every column z-scored by `stats`. */
export function applyStats(
  x: Float32Array,
  dim: number,
  stats: { mean: readonly number[]; std: readonly number[] },
): Float32Array {
  const out = x.slice();
  const n = x.length / dim;
  for (let j = 0; j < dim; j++) {
    const mu = stats.mean[j], sd = stats.std[j];
    for (let i = 0; i < n; i++) out[i * dim + j] = (x[i * dim + j] - mu) / sd;
  }
  return out;
}

/** A copy of `x` ([n, dim]) with every column z-scored by its mean and std over the `fit` rows. */
export function standardize(x: Float32Array, dim: number, fit: readonly number[]): Float32Array {
  return applyStats(x, dim, columnStats(x, dim, fit));
}

/** The λ with the best accuracy; ties go to the larger λ (the simpler classifier). */
export function chooseL2(candidates: readonly number[], accuracy: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < candidates.length; i++) {
    const better = accuracy[i] > accuracy[best] ||
      (accuracy[i] === accuracy[best] && candidates[i] > candidates[best]);
    if (better) best = i;
  }
  return candidates[best];
}

/** Training settings of one fit. */
export interface FitOptions {
  epochs: number;
  /** Rows per step; 0 or at least the row count = the full batch. */
  batch: number;
  lr: number;
  weight_decay: number;
  l2: number;
}

/** The rows of `x` ([n, dim]) stacked. */
function gather(x: Float32Array, dim: number, rows: readonly number[]): Float32Array {
  const xs = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => xs.set(x.subarray(r * dim, (r + 1) * dim), i * dim));
  return xs;
}

/**
 * Trains a linear layer on `rows` of `x`: minimises mean cross-entropy + λ/2·‖W‖² (bias not
 * penalised) with Adam; one submit per step.
 */
export function trainLinear(
  gpu: Gpu,
  rng: Rng,
  x: Float32Array,
  dim: number,
  label: readonly number[],
  classes: number,
  rows: readonly number[],
  o: FitOptions,
  onEpoch?: (epoch: number) => void,
): Linear {
  const layer = new Linear(gpu, rng, dim, classes);
  const opt = new Adam(gpu, layer.parameters(), { lr: o.lr, weightDecay: o.weight_decay });
  const full = o.batch === 0 || o.batch >= rows.length;
  const fullX = full ? gpu.tensor(gather(x, dim, rows), [rows.length, dim]) : null;
  const fullY = full ? gpu.tensor(Float32Array.from(rows, (r) => label[r]), [rows.length]) : null;
  const step = (xs: () => Tensor, ys: () => Tensor) => {
    gpu.scope(() => {
      const tape = new Tape(gpu);
      try {
        let loss = ops.softmaxCrossEntropy(tape, layer.forward(tape, xs()), ys());
        if (o.l2 > 0) {
          const w2 = ops.sum(tape, ops.mul(tape, layer.weight, layer.weight));
          loss = ops.add(tape, loss, ops.reshape(tape, ops.scale(tape, w2, o.l2 / 2), [1]));
        }
        opt.minimize(tape, loss);
      } finally {
        tape.dispose();
      }
    });
    gpu.submit();
  };
  try {
    const order = rows.slice();
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      if (fullX && fullY) {
        step(() => fullX, () => fullY);
      } else {
        rng.shuffle(order);
        for (let s = 0; s < order.length; s += o.batch) {
          const batch = order.slice(s, s + o.batch);
          step(
            () => gpu.tensor(gather(x, dim, batch), [batch.length, dim]),
            () => gpu.tensor(Float32Array.from(batch, (r) => label[r]), [batch.length]),
          );
        }
      }
      onEpoch?.(epoch);
    }
    return layer;
  } catch (e) {
    layer.dispose();
    throw e;
  } finally {
    opt.dispose();
    fullX?.dispose();
    fullY?.dispose();
  }
}

/** The arg-max class of each of `rows` of `x` under `layer`. */
export async function predictLinear(
  gpu: Gpu,
  layer: Linear,
  x: Float32Array,
  dim: number,
  classes: number,
  rows: readonly number[],
): Promise<number[]> {
  const logits = await gpu.scopeAsync(async () => {
    const tape = new Tape(gpu, { record: false });
    try {
      return await layer.forward(tape, gpu.tensor(gather(x, dim, rows), [rows.length, dim])).read();
    } finally {
      tape.dispose();
    }
  });
  return rows.map((_, i) => {
    let best = 0;
    for (let c = 1; c < classes; c++) {
      if (logits[i * classes + c] > logits[i * classes + best]) best = c;
    }
    return best;
  });
}

/** A trained probe on the device. */
export class LinearProbe {
  constructor(readonly card: ProbeCard, readonly layer: Linear) {}

  /** Loads safetensors `bytes` (card from the metadata, or `card`: a published config.json). */
  static decode(gpu: Gpu, bytes: Uint8Array, card?: ProbeCard): LinearProbe {
    const c = card ?? readCard(bytes);
    const layer = new Linear(gpu, new Rng(0), c.dim, c.classes.length);
    try {
      decodeCheckpoint(bytes, layer.state());
    } catch (e) {
      layer.dispose();
      throw e;
    }
    return new LinearProbe(c, layer);
  }

  /** The layer as safetensors with the card as metadata. */
  encode(): Promise<Uint8Array> {
    return encodeCheckpoint(this.layer.weight.gpu, this.layer.state(), {
      [CARD_KEY]: JSON.stringify(this.card),
    });
  }

  /** The class index of every row of raw features `x` ([n, dim]). */
  predict(x: Float32Array): Promise<number[]> {
    const { dim, classes, standardize: stats } = this.card;
    const scaled = stats ? applyStats(x, dim, stats) : x;
    const rows = Array.from({ length: x.length / dim }, (_, i) => i);
    return predictLinear(this.layer.weight.gpu, this.layer, scaled, dim, classes.length, rows);
  }

  /** Frees the layer. */
  dispose(): void {
    this.layer.dispose();
  }
}

function readCard(bytes: Uint8Array): ProbeCard {
  const raw = decodeSafetensors(bytes).metadata[CARD_KEY];
  if (raw === undefined) throw new Error(`Cannot load the probe: no "${CARD_KEY}" metadata`);
  return JSON.parse(raw) as ProbeCard;
}

/** Rows, labels and class names of a feature table. */
interface Split {
  classes: string[];
  label: number[];
  train: number[];
  test: number[];
}

function splitOf(table: LabelledFeatures): Split {
  const classes = [...new Set(table.labels)].sort();
  const label = table.labels.map((l) => classes.indexOf(l));
  const train = table.split.flatMap((s, i) => s === "train" ? [i] : []);
  const test = table.split.flatMap((s, i) => s === "test" ? [i] : []);
  if (train.length === 0 || test.length === 0) {
    throw new Error("Cannot train the classifier: it needs train and test rows");
  }
  return { classes, label, train, test };
}

/**
 * Trains the probe on the train rows (choosing λ first when `p.l2` lists several) and scores it
 * on the test rows; `progress` hears the epochs of every fit.
 */
export async function fitLinearProbe(
  gpu: Gpu,
  table: LabelledFeatures,
  p: ProbeParams,
  progress: (p: Progress) => void = () => {},
): Promise<{ probe: LinearProbe; metrics: ClassifierMetrics }> {
  const s = splitOf(table);
  const folds = p.l2.length > 1 ? Math.min(p.folds, s.train.length) : 0;
  const rounds = p.rounds === 0 ? folds : Math.min(p.rounds, folds);
  const fits = rounds * p.l2.length + 1;
  let done = 0;
  const onEpoch = (epoch: number) => {
    if (epoch % 10 === 9 || epoch === p.epochs - 1) {
      progress({ unit: "epoch", done: done * p.epochs + epoch + 1, total: fits * p.epochs });
    }
  };
  const fitted = () => done++;
  const selection = folds > 0
    ? await chooseByValidation(gpu, table, s, p, { folds, rounds }, onEpoch, fitted)
    : undefined;
  const l2 = selection ? chooseL2(selection.l2, selection.accuracy) : p.l2[0];
  const D = table.dim;
  const stats = p.standardize ? columnStats(table.x, D, s.train) : null;
  const x = stats ? applyStats(table.x, D, stats) : table.x;
  const rng = new Rng((p.seed * 31 + 3) >>> 0);
  const C = s.classes.length;
  const layer = trainLinear(gpu, rng, x, D, s.label, C, s.train, { ...fitOptions(p), l2 }, onEpoch);
  const probe = new LinearProbe({ classes: s.classes, dim: D, standardize: stats, l2 }, layer);
  try {
    const predTest = await predictLinear(gpu, layer, x, D, C, s.test);
    const predTrain = await predictLinear(gpu, layer, x, D, C, s.train);
    const { confusion, perClass } = confusionOf(s.classes, s.label, s.test, predTest);
    const metrics: ClassifierMetrics = {
      accuracy: accuracy(s.label, s.test, predTest),
      train_accuracy: accuracy(s.label, s.train, predTrain),
      classes: s.classes,
      per_class: perClass,
      confusion,
      features: D,
      train: s.train.length,
      test: s.test.length,
      l2,
      ...(selection ? { selection } : {}),
    };
    return { probe, metrics };
  } catch (e) {
    probe.dispose();
    throw e;
  }
}

function fitOptions(p: ProbeParams): Omit<FitOptions, "l2"> {
  return { epochs: p.epochs, batch: p.batch, lr: p.lr, weight_decay: p.weight_decay };
}

/**
 * Model selection on the train rows only: each of the first `rounds` stratified folds held out
 * once, every candidate λ fitted on the rest; accuracy per candidate over the held-out rows.
 */
async function chooseByValidation(
  gpu: Gpu,
  table: LabelledFeatures,
  s: Split,
  p: ProbeParams,
  o: { folds: number; rounds: number },
  onEpoch: (epoch: number) => void,
  fitted: () => void,
): Promise<NonNullable<ClassifierMetrics["selection"]>> {
  const D = table.dim;
  const C = s.classes.length;
  const candidates = p.l2;
  const cvRng = new Rng((p.seed * 31 + 5) >>> 0);
  const parts = stratifiedFolds(s.train, s.label, o.folds, cvRng);
  const hits = candidates.map(() => 0);
  let validated = 0;
  for (let q = 0; q < o.rounds; q++) {
    validated += parts[q].length;
    const fitRows = parts.flatMap((rows, j) => j === q ? [] : rows);
    const x = p.standardize ? standardize(table.x, D, fitRows) : table.x;
    for (let i = 0; i < candidates.length; i++) {
      const fit = { ...fitOptions(p), l2: candidates[i] };
      const layer = trainLinear(gpu, cvRng, x, D, s.label, C, fitRows, fit, onEpoch);
      try {
        const pred = await predictLinear(gpu, layer, x, D, C, parts[q]);
        hits[i] += parts[q].filter((r, k) => s.label[r] === pred[k]).length;
      } finally {
        layer.dispose();
      }
      fitted();
    }
  }
  // Counts, not sums of fractions: equal accuracies must compare equal for the tie rule.
  const accuracy = hits.map((h) => h / validated);
  return { folds: o.folds, rounds: o.rounds, l2: [...candidates], accuracy };
}
