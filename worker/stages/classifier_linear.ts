/**
 * `classifier.linear@1`: one linear layer + softmax, trained on the GPU (Adam, minibatches or the
 * full batch, an optional L2 penalty on the weights, optional decoupled weight decay) on the
 * train rows of a feature table, evaluated on the test rows: accuracy, per-class accuracy and the
 * confusion matrix (rows = true class, columns = predicted).
 *
 * Features are z-scored with train statistics. With several `l2` values the penalty is chosen the
 * way linear probes usually are, on the train rows only: they are split into k stratified folds;
 * each of the first `rounds` folds (all k: k-fold cross-validation; 1: a single validation split
 * of 1/k of the train rows) is held out once, the rest standardised and fitted; the best accuracy
 * over the held-out rows wins (ties: the larger λ), and the classifier is then refit on all train
 * rows. Test rows are used only for the final evaluation.
 * @module
 */
import { parse } from "csv-parse/sync";
import type { classifierLinear, StageParams } from "../../pipelines/mod.ts";
import { Rng } from "../lib/mod.ts";
import type { Gpu, Tensor } from "../gpu/mod.ts";
import { Adam, Linear, ops, Tape } from "../nn/mod.ts";
import { encodeJson } from "./artifacts.ts";
import { paramsOf, type StageImpl } from "./types.ts";

/** The `classifier-metrics` artifact. */
export interface ClassifierMetrics {
  accuracy: number;
  train_accuracy: number;
  classes: string[];
  per_class: Record<string, number>;
  confusion: number[][];
  features: number;
  train: number;
  test: number;
  /** The L2 penalty λ the reported classifier was trained with. */
  l2: number;
  /**
   * How λ was chosen (absent with a single candidate): the train rows split into `folds`
   * stratified folds, the first `rounds` of them each held out once; `accuracy` per candidate
   * over the held-out rows.
   */
  selection?: { folds: number; rounds: number; l2: number[]; accuracy: number[] };
}

/** A parsed feature table. */
export interface FeatureTable {
  ids: string[];
  split: string[];
  labels: string[];
  dim: number;
  x: Float32Array;
}

/** Parses a feature CSV (id, split, label, f0…). */
export function parseFeatures(text: string): FeatureTable {
  const rows = parse(text) as string[][];
  const [header, ...body] = rows;
  if (header?.[0] !== "id" || header[1] !== "split" || header[2] !== "label") {
    throw new Error('Cannot read the feature table: the header must start with "id,split,label"');
  }
  const dim = header.length - 3;
  const x = new Float32Array(body.length * dim);
  body.forEach((r, i) => {
    for (let j = 0; j < dim; j++) x[i * dim + j] = Number(r[j + 3]);
  });
  return {
    ids: body.map((r) => r[0]),
    split: body.map((r) => r[1]),
    labels: body.map((r) => r[2]),
    dim,
    x,
  };
}

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

/** A copy of `x` ([n, dim]) with every column z-scored by its mean and std over the `fit` rows. */
export function standardize(x: Float32Array, dim: number, fit: readonly number[]): Float32Array {
  const out = x.slice();
  const n = x.length / dim;
  for (let j = 0; j < dim; j++) {
    let mu = 0, sq = 0;
    for (const i of fit) mu += x[i * dim + j] / fit.length;
    for (const i of fit) sq += (x[i * dim + j] - mu) ** 2 / fit.length;
    const sd = Math.sqrt(sq) || 1;
    for (let i = 0; i < n; i++) out[i * dim + j] = (x[i * dim + j] - mu) / sd;
  }
  return out;
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
interface FitOptions {
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

/** Trains and evaluates the classifier. */
export const run: StageImpl = async (ctx) => {
  const p = paramsOf<StageParams<typeof classifierLinear>>(ctx);
  const table = parseFeatures(new TextDecoder().decode(await ctx.input("features")));
  const classes = [...new Set(table.labels)].sort();
  const C = classes.length;
  const label = table.labels.map((l) => classes.indexOf(l));
  const train = table.split.flatMap((s, i) => s === "train" ? [i] : []);
  const test = table.split.flatMap((s, i) => s === "test" ? [i] : []);
  if (train.length === 0 || test.length === 0) {
    throw new Error("Cannot train the classifier: it needs train and test rows");
  }
  const D = table.dim;
  const scaled = (fit: readonly number[]) => p.standardize ? standardize(table.x, D, fit) : table.x;
  const fit = { epochs: p.epochs, batch: p.batch, lr: p.lr, weight_decay: p.weight_decay };
  const candidates = p.l2;
  const folds = candidates.length > 1 ? Math.min(p.folds, train.length) : 0;
  const rounds = p.rounds === 0 ? folds : Math.min(p.rounds, folds);
  const fits = rounds * candidates.length + 1;
  let done = 0;
  const onEpoch = (epoch: number) => {
    if (epoch % 10 === 9 || epoch === p.epochs - 1) {
      ctx.progress({ unit: "epoch", done: done * p.epochs + epoch + 1, total: fits * p.epochs });
    }
  };
  const correct = (rows: readonly number[], pred: readonly number[]) =>
    rows.filter((r, i) => label[r] === pred[i]).length / rows.length;
  const gpu = await ctx.gpu();

  let l2 = candidates[0];
  let selection: ClassifierMetrics["selection"];
  if (folds > 0) {
    // Model selection on the train rows only.
    const cvRng = new Rng((p.seed * 31 + 5) >>> 0);
    const parts = stratifiedFolds(train, label, folds, cvRng);
    const hits = candidates.map(() => 0);
    let validated = 0;
    for (let q = 0; q < rounds; q++) {
      validated += parts[q].length;
      const fitRows = parts.flatMap((rows, j) => j === q ? [] : rows);
      const x = scaled(fitRows);
      for (let i = 0; i < candidates.length; i++) {
        const layer = trainLinear(gpu, cvRng, x, D, label, C, fitRows, {
          ...fit,
          l2: candidates[i],
        }, onEpoch);
        try {
          const pred = await predictLinear(gpu, layer, x, D, C, parts[q]);
          hits[i] += parts[q].filter((r, k) => label[r] === pred[k]).length;
        } finally {
          layer.dispose();
        }
        done++;
      }
    }
    // Counts, not sums of fractions: equal accuracies must compare equal for the tie rule.
    const accuracy = hits.map((h) => h / validated);
    l2 = chooseL2(candidates, accuracy);
    selection = { folds, rounds, l2: [...candidates], accuracy };
  }

  const x = scaled(train);
  const rng = new Rng((p.seed * 31 + 3) >>> 0);
  const layer = trainLinear(gpu, rng, x, D, label, C, train, { ...fit, l2 }, onEpoch);
  try {
    const predTest = await predictLinear(gpu, layer, x, D, C, test);
    const predTrain = await predictLinear(gpu, layer, x, D, C, train);
    const confusion = classes.map(() => classes.map(() => 0));
    test.forEach((r, i) => confusion[label[r]][predTest[i]]++);
    const perClass: Record<string, number> = {};
    classes.forEach((c, k) => {
      const total = confusion[k].reduce((a, b) => a + b, 0);
      perClass[c] = total > 0 ? confusion[k][k] / total : NaN;
    });
    const metrics: ClassifierMetrics = {
      accuracy: correct(test, predTest),
      train_accuracy: correct(train, predTrain),
      classes,
      per_class: perClass,
      confusion,
      features: D,
      train: train.length,
      test: test.length,
      l2,
      ...(selection ? { selection } : {}),
    };
    return { metrics: encodeJson(metrics) };
  } finally {
    layer.dispose();
  }
};
