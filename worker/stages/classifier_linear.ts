/**
 * `classifier.linear@1`: one linear layer + softmax, trained on the GPU (Adam, minibatches,
 * weight decay) on the train rows of a feature table, evaluated on the test rows: accuracy,
 * per-class accuracy and the confusion matrix (rows = true class, columns = predicted).
 * @module
 */
import { parse } from "csv-parse/sync";
import type { classifierLinear, StageParams } from "../../pipelines/mod.ts";
import { Rng } from "../gpu/mod.ts";
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

/** Trains and evaluates the classifier. */
export const run: StageImpl = async (ctx) => {
  const p = paramsOf<StageParams<typeof classifierLinear>>(ctx);
  const table = parseFeatures(new TextDecoder().decode(await ctx.input("features")));
  const classes = [...new Set(table.labels)].sort();
  const label = table.labels.map((l) => classes.indexOf(l));
  const train = table.split.flatMap((s, i) => s === "train" ? [i] : []);
  const test = table.split.flatMap((s, i) => s === "test" ? [i] : []);
  if (train.length === 0 || test.length === 0) {
    throw new Error("Cannot train the classifier: it needs train and test rows");
  }
  const D = table.dim;
  const x = table.x.slice();
  if (p.standardize) {
    for (let j = 0; j < D; j++) {
      let mu = 0, sq = 0;
      for (const i of train) mu += x[i * D + j] / train.length;
      for (const i of train) sq += (x[i * D + j] - mu) ** 2 / train.length;
      const sd = Math.sqrt(sq) || 1;
      for (let i = 0; i < label.length; i++) x[i * D + j] = (x[i * D + j] - mu) / sd;
    }
  }
  const gpu = await ctx.gpu();
  const rng = new Rng((p.seed * 31 + 3) >>> 0);
  const layer = new Linear(gpu, rng, D, classes.length);
  const opt = new Adam(gpu, layer.parameters(), { lr: p.lr, weightDecay: p.weight_decay });
  const gather = (rows: readonly number[]) => {
    const xs = new Float32Array(rows.length * D);
    rows.forEach((r, i) => xs.set(x.subarray(r * D, (r + 1) * D), i * D));
    return xs;
  };
  try {
    const order = train.slice();
    for (let epoch = 0; epoch < p.epochs; epoch++) {
      rng.shuffle(order);
      for (let s = 0; s < order.length; s += p.batch) {
        const rows = order.slice(s, s + p.batch);
        gpu.scope(() => {
          const tape = new Tape(gpu);
          try {
            const logits = layer.forward(tape, gpu.tensor(gather(rows), [rows.length, D]));
            const y = gpu.tensor(Float32Array.from(rows, (r) => label[r]), [rows.length]);
            opt.minimize(tape, ops.softmaxCrossEntropy(tape, logits, y));
          } finally {
            tape.dispose();
          }
        });
        gpu.submit();
      }
      if (epoch % 10 === 9 || epoch === p.epochs - 1) {
        ctx.progress({ unit: "epoch", done: epoch + 1, total: p.epochs });
      }
    }
    const predict = async (rows: readonly number[]) => {
      const logits = await gpu.scopeAsync(async () => {
        const tape = new Tape(gpu, { record: false });
        try {
          return await layer.forward(tape, gpu.tensor(gather(rows), [rows.length, D])).read();
        } finally {
          tape.dispose();
        }
      });
      const C = classes.length;
      return rows.map((_, i) => {
        let best = 0;
        for (let c = 1; c < C; c++) if (logits[i * C + c] > logits[i * C + best]) best = c;
        return best;
      });
    };
    const predTest = await predict(test);
    const predTrain = await predict(train);
    const confusion = classes.map(() => classes.map(() => 0));
    test.forEach((r, i) => confusion[label[r]][predTest[i]]++);
    const perClass: Record<string, number> = {};
    classes.forEach((c, k) => {
      const total = confusion[k].reduce((a, b) => a + b, 0);
      perClass[c] = total > 0 ? confusion[k][k] / total : NaN;
    });
    const correct = (rows: number[], pred: number[]) =>
      rows.filter((r, i) => label[r] === pred[i]).length / rows.length;
    const metrics: ClassifierMetrics = {
      accuracy: correct(test, predTest),
      train_accuracy: correct(train, predTrain),
      classes,
      per_class: perClass,
      confusion,
      features: D,
      train: train.length,
      test: test.length,
    };
    return { metrics: encodeJson(metrics) };
  } finally {
    layer.dispose();
    opt.dispose();
  }
};
