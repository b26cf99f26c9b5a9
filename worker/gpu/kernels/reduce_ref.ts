/** Float64 CPU references of the reductions. */
import type { RefTensor } from "./elementwise_ref.ts";

/** `sum(x, axes, keepDims)` in float64 (`null` axes: all). */
export function sumRef(
  x: ArrayLike<number>,
  shape: number[],
  axes: number[] | null,
  keepDims = false,
): RefTensor {
  const rank = shape.length;
  const reduced = shape.map((_, k) =>
    axes === null || axes.some((a) => (a < 0 ? a + rank : a) === k)
  );
  const outShape = shape.flatMap((d, k) => (reduced[k] ? (keepDims ? [1] : []) : [d]));
  const data = new Float64Array(outShape.reduce((p, d) => p * d, 1));
  for (let i = 0; i < x.length; i++) {
    let rem = i;
    let o = 0;
    let stride = 1;
    for (let k = rank - 1; k >= 0; k--) {
      const c = rem % shape[k];
      rem = Math.floor(rem / shape[k]);
      if (reduced[k]) continue;
      o += c * stride;
      stride *= shape[k];
    }
    data[o] += x[i];
  }
  return { data, shape: outShape };
}

/** `mean(x, axes, keepDims)` in float64. */
export function meanRef(
  x: ArrayLike<number>,
  shape: number[],
  axes: number[] | null,
  keepDims = false,
): RefTensor {
  const s = sumRef(x, shape, axes, keepDims);
  const count = x.length / s.data.length;
  return { data: s.data.map((v) => v / count), shape: s.shape };
}
