/**
 * Losses: L1 (mean or per sample) and softmax cross-entropy with a stable log-sum-exp, plus
 * their gradients and a row softmax.
 *
 * Class labels are stored as f32 class indices; a label that is not an integer in `[0, C)`
 * yields NaN in the loss and in its row of the gradient, so bad data cannot pass silently.
 */
import { kernel, read, readWrite } from "../kernel.ts";
import type { Tensor } from "../tensor.ts";
import { fmt, LINEAR_MAIN, linearGrid, prod, requireSameShape, vec4Count } from "./_common.ts";
import { reduceMapped } from "./reduce.ts";

/** How {@link l1Loss} reduces: one mean (`[1]`) or one mean per sample (`[B]`). */
export type L1Reduction = "mean" | "per_sample";

/** Options of {@link l1Loss} and {@link l1LossGrad}. */
export interface L1Options {
  /** Mean over everything, or over the non-batch elements of each sample. */
  reduction: L1Reduction;
}

const SCE_WG = 256;

function checkReduction(op: string, reduction: L1Reduction): void {
  if (reduction !== "mean" && reduction !== "per_sample") {
    throw new RangeError(`Cannot ${op}: unknown reduction "${reduction}"`);
  }
}

/** Mean absolute error: `[1]`, or `[B]` with `per_sample` (mean over non-batch elements). */
export function l1Loss(pred: Tensor, target: Tensor, opts: L1Options): Tensor {
  checkReduction("compute l1 loss", opts.reduction);
  requireSameShape("compute l1 loss", pred, target);
  if (pred.shape.length === 0 || pred.size === 0) {
    throw new RangeError(`Cannot compute l1 loss of ${fmt(pred.shape)}: no elements`);
  }
  const map = { inputs: [pred, target], expr: "abs($0 - $1)" };
  if (opts.reduction === "per_sample") {
    const axes = pred.shape.map((_, k) => k).slice(1);
    return reduceMapped(map, axes, { mean: true });
  }
  const total = reduceMapped(map, null, { mean: true });
  const out = total.reshape([1]);
  total.dispose();
  return out;
}

const L1_GRAD = kernel({
  name: "l1_loss_grad",
  bindings: (vec: boolean) => {
    const type = vec ? "vec4<f32>" : "f32";
    return { pred: read(type), tgt: read(type), dloss: read(), dst: readWrite(type) };
  },
  uniforms: { n: "u32", per: "u32", inv: "f32" },
  key: (vec) => (vec ? "v4" : "s"),
  body: (vec) => `
${LINEAR_MAIN}
  if (gi >= p.n) { return; }
  let row = (gi * ${vec ? 4 : 1}u) / p.per;
  dst[gi] = sign(pred[gi] - tgt[gi]) * (dloss[row] * p.inv);
}`,
});

/** Gradient of {@link l1Loss} with respect to `pred`, given `dLoss` of the loss's shape. */
export function l1LossGrad(pred: Tensor, target: Tensor, dLoss: Tensor, opts: L1Options): Tensor {
  checkReduction("compute l1 loss gradient", opts.reduction);
  requireSameShape("compute l1 loss gradient", pred, target);
  const rows = opts.reduction === "per_sample" ? pred.shape[0] : 1;
  if (pred.shape.length === 0 || pred.size === 0 || dLoss.size !== rows) {
    throw new RangeError(
      `Cannot compute l1 loss gradient: pred ${fmt(pred.shape)} with dLoss ${fmt(dLoss.shape)} ` +
        `(${opts.reduction})`,
    );
  }
  const per = pred.size / rows;
  const vec = per % 4 === 0 || rows === 1;
  const n = vec ? vec4Count(pred.size) : pred.size;
  const out = pred.gpu.empty(pred.shape);
  L1_GRAD.run(pred.gpu, {
    variant: vec,
    buffers: { pred, tgt: target, dloss: dLoss, dst: out },
    uniforms: { n, per, inv: 1 / per },
    workgroups: linearGrid(n),
  });
  return out;
}

function classes(op: string, logits: Tensor): { rows: number; cls: number } {
  const cls = logits.shape.at(-1) ?? 0;
  if (logits.shape.length < 1 || cls === 0) {
    throw new RangeError(`Cannot ${op} of ${fmt(logits.shape)}: need a non-empty class axis`);
  }
  return { rows: prod(logits.shape, 0, logits.shape.length - 1), cls };
}

function checkLabels(op: string, logits: Tensor, labels: Tensor): { rows: number; cls: number } {
  const rc = classes(op, logits);
  if (logits.shape.length !== 2 || labels.shape.length !== 1 || labels.shape[0] !== rc.rows) {
    throw new RangeError(
      `Cannot ${op}: logits ${fmt(logits.shape)} must be [B, C] and labels ${
        fmt(labels.shape)
      } must be [B]`,
    );
  }
  if (rc.rows === 0) throw new RangeError(`Cannot ${op}: the batch is empty`);
  return rc;
}

/** WGSL: row max and sum of exp(x - max) of `logits` row `r`. */
const ROW_STATS = `
fn rowStats(r: u32) -> vec2<f32> {
  let base = r * p.cls;
  var m = logits[base];
  for (var c = 1u; c < p.cls; c++) { m = max(m, logits[base + c]); }
  var s = 0.0;
  for (var c = 0u; c < p.cls; c++) { s += exp(logits[base + c] - m); }
  return vec2<f32>(m, s);
}`;

/** WGSL: the label of row `r` as an index, or -1 when it is not a class index; and a NaN. */
const LABELS = `
fn labelOf(r: u32) -> i32 {
  let l = labels[r];
  if (l >= 0.0 && l < f32(p.cls) && l == floor(l)) { return i32(l); }
  return -1;
}
fn nan() -> f32 { return bitcast<f32>(0x7fc00000u | (p.cls & 0u)); }`;

const SOFTMAX = kernel({
  name: "softmax",
  bindings: { logits: read(), dst: readWrite() },
  uniforms: { rows: "u32", cls: "u32" },
  key: () => "rows",
  body: () =>
    `${ROW_STATS}
${LINEAR_MAIN}
  if (gi >= p.rows) { return; }
  let st = rowStats(gi);
  let inv = 1.0 / st.y;
  let base = gi * p.cls;
  for (var c = 0u; c < p.cls; c++) { dst[base + c] = exp(logits[base + c] - st.x) * inv; }
}`,
});

/** Softmax over the last axis; returns a new tensor of the same shape. */
export function softmax(logits: Tensor): Tensor {
  const { rows, cls } = classes("softmax", logits);
  const out = logits.gpu.empty(logits.shape);
  if (rows === 0) return out;
  SOFTMAX.run(logits.gpu, {
    buffers: { logits, dst: out },
    uniforms: { rows, cls },
    workgroups: linearGrid(rows),
  });
  return out;
}

const SCE = kernel({
  name: "softmax_cross_entropy",
  bindings: { logits: read(), labels: read(), dst: readWrite() },
  uniforms: { rows: "u32", cls: "u32" },
  key: () => `wg${SCE_WG}`,
  body: () =>
    `${ROW_STATS}
${LABELS}
var<workgroup> part: array<f32, ${SCE_WG}>;
@compute @workgroup_size(${SCE_WG})
fn main(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var r = lid; r < p.rows; r += ${SCE_WG}u) {
    let st = rowStats(r);
    let l = labelOf(r);
    var x = nan();
    if (l >= 0) { x = logits[r * p.cls + u32(l)]; }
    acc += st.x + log(st.y) - x;
  }
  part[lid] = acc;
  workgroupBarrier();
  for (var s = ${SCE_WG / 2}u; s > 0u; s >>= 1u) {
    if (lid < s) { part[lid] += part[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u) { dst[0] = part[0] / f32(p.rows); }
}`,
});

/**
 * Mean softmax cross-entropy of `logits [B, C]` against class indices `labels [B]`
 * (stored as f32); returns `[1]`. One workgroup computes and averages every row.
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  const { rows, cls } = checkLabels("compute softmax cross-entropy", logits, labels);
  const out = logits.gpu.empty([1]);
  SCE.run(logits.gpu, {
    buffers: { logits, labels, dst: out },
    uniforms: { rows, cls },
    workgroups: [1],
  });
  return out;
}

const SCE_GRAD = kernel({
  name: "softmax_cross_entropy_grad",
  bindings: { logits: read(), labels: read(), dloss: read(), dst: readWrite() },
  uniforms: { rows: "u32", cls: "u32" },
  key: () => "rows",
  body: () =>
    `${ROW_STATS}
${LABELS}
${LINEAR_MAIN}
  if (gi >= p.rows) { return; }
  let st = rowStats(gi);
  let l = labelOf(gi);
  let scale = dloss[0] / (st.y * f32(p.rows));
  let hit = dloss[0] / f32(p.rows);
  let base = gi * p.cls;
  for (var c = 0u; c < p.cls; c++) {
    var g = exp(logits[base + c] - st.x) * scale;
    if (l < 0) { g = nan(); } else if (u32(l) == c) { g -= hit; }
    dst[base + c] = g;
  }
}`,
});

/** Gradient of {@link softmaxCrossEntropy}: `(softmax(logits) - onehot) · dLoss / B`. */
export function softmaxCrossEntropyGrad(logits: Tensor, labels: Tensor, dLoss: Tensor): Tensor {
  const { rows, cls } = checkLabels("compute softmax cross-entropy gradient", logits, labels);
  if (dLoss.size !== 1) {
    throw new RangeError(
      `Cannot compute softmax cross-entropy gradient: dLoss ${fmt(dLoss.shape)} must be [1]`,
    );
  }
  const out = logits.gpu.empty(logits.shape);
  SCE_GRAD.run(logits.gpu, {
    buffers: { logits, labels, dloss: dLoss, dst: out },
    uniforms: { rows, cls },
    workgroups: linearGrid(rows),
  });
  return out;
}
