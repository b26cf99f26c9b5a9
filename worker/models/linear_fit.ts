/**
 * Fitting a linear softmax classifier on the GPU and the pieces of choosing its L2 penalty:
 * stratified folds, per-column standardisation with the statistics of the fit rows, and the
 * choice among candidate penalties.
 * @module
 */
import type { Gpu, Tensor } from "../gpu/mod.ts";
import type { Rng } from "../lib/mod.ts";
import { Adam, Linear, ops, Tape } from "../nn/mod.ts";

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
  const logits = await linearLogits(gpu, layer, x, dim, rows);
  return rows.map((_, i) => {
    let best = 0;
    for (let c = 1; c < classes; c++) {
      if (logits[i * classes + c] > logits[i * classes + best]) best = c;
    }
    return best;
  });
}

/** The layer's logits ([rows, classes]) of the rows `rows` of `x` ([n, dim]). */
export async function linearLogits(
  gpu: Gpu,
  layer: Linear,
  x: Float32Array,
  dim: number,
  rows: readonly number[],
): Promise<Float32Array> {
  return await gpu.scopeAsync(async () => {
    const tape = new Tape(gpu, { record: false });
    try {
      return await layer.forward(tape, gpu.tensor(gather(x, dim, rows), [rows.length, dim])).read();
    } finally {
      tape.dispose();
    }
  });
}
