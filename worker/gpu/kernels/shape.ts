/**
 * Concatenation and slicing along one axis.
 *
 * Both view a tensor as `[outer, axis, inner]` rows: an axis range is a contiguous run of
 * `length · inner` floats in every row. One "window" kernel copies such runs between row
 * layouts, zero-filling positions that fall outside the source run (the slice gradient);
 * it runs on vec4 items when every run length and offset is a multiple of 4.
 */
import { kernel, read, readWrite } from "../kernel.ts";
import type { Tensor } from "../tensor.ts";
import { fmt, LINEAR_MAIN, linearGrid, normAxis, prod } from "./_common.ts";

interface Window {
  rows: number;
  /** Floats written per row. */
  len: number;
  dstStride: number;
  dstOffset: number;
  srcStride: number;
  /** Source position of the first written float (may be negative: leading zeros). */
  srcOffset: number;
  /** Valid floats per source row. */
  srcLen: number;
}

function copyWindow(src: Tensor, dst: Tensor, w: Window): void {
  const total = w.rows * w.len;
  if (total === 0) return;
  const vec = [w.len, w.dstStride, w.dstOffset, w.srcStride, w.srcOffset, w.srcLen]
    .every((v) => v % 4 === 0);
  const k = vec ? 4 : 1;
  WINDOW_COPY.run(src.gpu, {
    variant: vec,
    buffers: { src, dst },
    uniforms: {
      total: total / k,
      len: w.len / k,
      dstStride: w.dstStride / k,
      dstOffset: w.dstOffset / k,
      srcStride: w.srcStride / k,
      srcOffset: w.srcOffset / k,
      srcLen: w.srcLen / k,
    },
    workgroups: linearGrid(total / k),
  });
}

const WINDOW_COPY = kernel({
  name: "window_copy",
  bindings: (vec: boolean) => ({
    src: read(vec ? "vec4<f32>" : "f32"),
    dst: readWrite(vec ? "vec4<f32>" : "f32"),
  }),
  uniforms: {
    total: "u32",
    len: "u32",
    dstStride: "u32",
    dstOffset: "u32",
    srcStride: "u32",
    srcOffset: "i32",
    srcLen: "u32",
  },
  key: (vec) => (vec ? "v4" : "s"),
  body: (vec) => `
${LINEAR_MAIN}
  if (gi >= p.total) { return; }
  let row = gi / p.len;
  let j = gi % p.len;
  let s = i32(j) + p.srcOffset;
  var v = ${vec ? "vec4<f32>" : "f32"}(0.0);
  if (s >= 0 && s < i32(p.srcLen)) { v = src[row * p.srcStride + u32(s)]; }
  dst[row * p.dstStride + p.dstOffset + j] = v;
}`,
});

/** Concatenates tensors along `axis`; all other dimensions must agree. One dispatch per input. */
export function concat(xs: readonly Tensor[], axis: number): Tensor {
  if (xs.length === 0) throw new RangeError("Cannot concat: no tensors given");
  const first = xs[0].shape;
  const ax = normAxis("concat", axis, first.length);
  for (const x of xs) {
    const ok = x.shape.length === first.length &&
      x.shape.every((d, k) => k === ax || d === first[k]);
    if (!ok) {
      throw new RangeError(
        `Cannot concat ${xs.map((t) => fmt(t.shape)).join(", ")} along axis ${axis}`,
      );
    }
  }
  const total = xs.reduce((acc, x) => acc + x.shape[ax], 0);
  const shape = first.map((d, k) => (k === ax ? total : d));
  const out = xs[0].gpu.empty(shape);
  const rows = prod(first, 0, ax);
  const inner = prod(first, ax + 1);
  let offset = 0;
  for (const x of xs) {
    const len = x.shape[ax] * inner;
    copyWindow(x, out, {
      rows,
      len,
      dstStride: total * inner,
      dstOffset: offset,
      srcStride: len,
      srcOffset: 0,
      srcLen: len,
    });
    offset += len;
  }
  return out;
}

function checkRange(
  op: string,
  shape: readonly number[],
  axis: number,
  start: number,
  length: number,
): void {
  const ok = Number.isInteger(start) && Number.isInteger(length) && start >= 0 && length >= 0 &&
    start + length <= shape[axis];
  if (!ok) {
    throw new RangeError(
      `Cannot ${op}: range [${start}, ${start + length}) is outside axis ${axis} of ${fmt(shape)}`,
    );
  }
}

/** Takes `length` entries of `axis` starting at `start`; returns a new tensor. */
export function slice(x: Tensor, axis: number, start: number, length: number): Tensor {
  const ax = normAxis("slice", axis, x.shape.length);
  checkRange("slice", x.shape, ax, start, length);
  const out = x.gpu.empty(x.shape.map((d, k) => (k === ax ? length : d)));
  const inner = prod(x.shape, ax + 1);
  copyWindow(x, out, {
    rows: prod(x.shape, 0, ax),
    len: length * inner,
    dstStride: length * inner,
    dstOffset: 0,
    srcStride: x.shape[ax] * inner,
    srcOffset: start * inner,
    srcLen: x.shape[ax] * inner,
  });
  return out;
}

/**
 * Gradient of {@link slice}: places `dy` at `start` along `axis` of a zero tensor of
 * `inputShape` (one dispatch writes every element).
 */
export function sliceGrad(
  dy: Tensor,
  inputShape: readonly number[],
  axis: number,
  start: number,
): Tensor {
  const ax = normAxis("slice gradient", axis, inputShape.length);
  const length = dy.shape[ax];
  const fits = dy.shape.length === inputShape.length &&
    dy.shape.every((d, k) => k === ax || d === inputShape[k]);
  if (!fits) {
    throw new RangeError(
      `Cannot compute slice gradient: dy ${fmt(dy.shape)} does not match input ` +
        `${fmt(inputShape)} on axis ${axis}`,
    );
  }
  checkRange("compute slice gradient", inputShape, ax, start, length);
  const out = dy.gpu.empty(inputShape);
  const inner = prod(inputShape, ax + 1);
  const rowLen = inputShape[ax] * inner;
  copyWindow(dy, out, {
    rows: prod(inputShape, 0, ax),
    len: rowLen,
    dstStride: rowLen,
    dstOffset: 0,
    srcStride: length * inner,
    srcOffset: -start * inner,
    srcLen: length * inner,
  });
  return out;
}
