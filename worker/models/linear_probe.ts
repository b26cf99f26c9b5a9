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
import type { Gpu } from "../gpu/mod.ts";
import { Rng } from "../lib/mod.ts";
import { decodeCheckpoint, decodeSafetensors, encodeCheckpoint, Linear } from "../nn/mod.ts";
import type { Progress } from "./hooks.ts";
import {
  applyStats,
  chooseL2,
  columnStats,
  type FitOptions,
  linearLogits,
  predictLinear,
  standardize,
  stratifiedFolds,
  trainLinear,
} from "./linear_fit.ts";

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

  /** The most probable class of every row of raw features `x` and its softmax probability. */
  async classify(x: Float32Array): Promise<{ label: string; score: number }[]> {
    const { dim, classes, standardize: stats } = this.card;
    const scaled = stats ? applyStats(x, dim, stats) : x;
    const n = x.length / dim;
    const rows = Array.from({ length: n }, (_, i) => i);
    const logits = await linearLogits(this.layer.weight.gpu, this.layer, scaled, dim, rows);
    const C = classes.length;
    return rows.map((i) => {
      const row = logits.subarray(i * C, (i + 1) * C);
      let best = 0;
      for (let c = 1; c < C; c++) if (row[c] > row[best]) best = c;
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp(row[c] - row[best]);
      return { label: classes[best], score: 1 / sum };
    });
  }

  /** Frees the layer. */
  dispose(): void {
    this.layer.dispose();
  }
}

/** The card of a `linear-probe` artifact; throws when the file holds none. */
export function readCard(bytes: Uint8Array): ProbeCard {
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
