/** Float64 CPU references of concat, slice and the slice gradient. */
import type { RefTensor } from "./elementwise_ref.ts";

function split(shape: number[], axis: number): [number, number] {
  const outer = shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  return [outer, inner];
}

/** `concat(xs, axis)` in float64 (non-negative axis). */
export function concatRef(
  xs: { data: ArrayLike<number>; shape: number[] }[],
  axis: number,
): RefTensor {
  const total = xs.reduce((acc, x) => acc + x.shape[axis], 0);
  const shape = xs[0].shape.map((d, k) => (k === axis ? total : d));
  const [outer, inner] = split(shape, axis);
  const data = new Float64Array(outer * total * inner);
  let offset = 0;
  for (const x of xs) {
    const c = x.shape[axis];
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < c * inner; j++) {
        data[(o * total) * inner + offset * inner + j] = x.data[o * c * inner + j];
      }
    }
    offset += c;
  }
  return { data, shape };
}

/** `slice(x, axis, start, length)` in float64 (non-negative axis). */
export function sliceRef(
  x: ArrayLike<number>,
  shape: number[],
  axis: number,
  start: number,
  length: number,
): RefTensor {
  const [outer, inner] = split(shape, axis);
  const outShape = shape.map((d, k) => (k === axis ? length : d));
  const data = new Float64Array(outer * length * inner);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < length; c++) {
      for (let i = 0; i < inner; i++) {
        data[(o * length + c) * inner + i] = x[(o * shape[axis] + start + c) * inner + i];
      }
    }
  }
  return { data, shape: outShape };
}

/** `sliceGrad(dy, inputShape, axis, start)` in float64 (non-negative axis). */
export function sliceGradRef(
  dy: ArrayLike<number>,
  inputShape: number[],
  axis: number,
  start: number,
): Float64Array {
  const [outer, inner] = split(inputShape, axis);
  const length = dy.length / (outer * inner);
  const out = new Float64Array(outer * inputShape[axis] * inner);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < length; c++) {
      for (let i = 0; i < inner; i++) {
        out[(o * inputShape[axis] + start + c) * inner + i] = dy[(o * length + c) * inner + i];
      }
    }
  }
  return out;
}
