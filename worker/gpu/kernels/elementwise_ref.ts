/**
 * Float64 CPU references of the elementwise kernels, for kernel tests and finite-difference
 * gradient checks.
 */
import type { BinaryOp } from "./binary.ts";
import type { UnaryOp } from "./elementwise.ts";

/** Row-major values with their shape. */
export interface RefTensor {
  data: Float64Array;
  shape: number[];
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** `unary(op, x, {alpha})` in float64. */
export function unaryRef(op: UnaryOp, x: ArrayLike<number>, alpha = 0): Float64Array {
  const f: Record<UnaryOp, (v: number) => number> = {
    neg: (v) => -v,
    abs: Math.abs,
    exp: Math.exp,
    log: Math.log,
    sqrt: Math.sqrt,
    square: (v) => v * v,
    relu: (v) => Math.max(v, 0),
    leaky_relu: (v) => (v > 0 ? v : alpha * v),
    tanh: Math.tanh,
    sigmoid,
    softplus: (v) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))),
    scale: (v) => alpha * v,
    add_scalar: (v) => v + alpha,
  };
  return Float64Array.from(x, f[op]);
}

/** `unaryGrad(op, x, unary(op, x), dy, {alpha})` in float64. */
export function unaryGradRef(
  op: UnaryOp,
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  alpha = 0,
): Float64Array {
  const d: Record<UnaryOp, (v: number) => number> = {
    neg: () => -1,
    abs: Math.sign,
    exp: Math.exp,
    log: (v) => 1 / v,
    sqrt: (v) => 0.5 / Math.sqrt(v),
    square: (v) => 2 * v,
    relu: (v) => (v > 0 ? 1 : 0),
    leaky_relu: (v) => (v > 0 ? 1 : alpha),
    tanh: (v) => 1 - Math.tanh(v) ** 2,
    sigmoid: (v) => sigmoid(v) * (1 - sigmoid(v)),
    softplus: sigmoid,
    scale: () => alpha,
    add_scalar: () => 1,
  };
  return Float64Array.from(x, (v, i) => d[op](v) * dy[i]);
}

/** Element index of `shape` for the multi-index of `outShape` under numpy broadcasting. */
function broadcastIndex(outIndex: number, outShape: number[], shape: number[]): number {
  let rem = outIndex;
  let idx = 0;
  let stride = 1;
  for (let k = outShape.length - 1; k >= 0; k--) {
    const c = rem % outShape[k];
    rem = Math.floor(rem / outShape[k]);
    const j = k - (outShape.length - shape.length);
    if (j < 0) continue;
    if (shape[j] !== 1) idx += c * stride;
    stride *= shape[j];
  }
  return idx;
}

/** `binary(op, a, b)` with numpy broadcasting, in float64. */
export function binaryRef(
  op: BinaryOp,
  a: ArrayLike<number>,
  aShape: number[],
  b: ArrayLike<number>,
  bShape: number[],
): RefTensor {
  const rank = Math.max(aShape.length, bShape.length);
  const shape: number[] = [];
  for (let k = 0; k < rank; k++) {
    const da = aShape[k - rank + aShape.length] ?? 1;
    const db = bShape[k - rank + bShape.length] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new RangeError("Cannot broadcast");
    shape.push(da === 1 ? db : da);
  }
  const f: Record<BinaryOp, (x: number, y: number) => number> = {
    add: (x, y) => x + y,
    sub: (x, y) => x - y,
    mul: (x, y) => x * y,
    div: (x, y) => x / y,
    max: Math.max,
    min: Math.min,
  };
  const n = shape.reduce((p, d) => p * d, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    data[i] = f[op](a[broadcastIndex(i, shape, aShape)], b[broadcastIndex(i, shape, bShape)]);
  }
  return { data, shape };
}

/** `sumToShape(x, shape)` in float64: accumulates every element onto its broadcast source. */
export function sumToShapeRef(
  x: ArrayLike<number>,
  xShape: number[],
  shape: number[],
): Float64Array {
  const out = new Float64Array(shape.reduce((p, d) => p * d, 1));
  for (let i = 0; i < x.length; i++) out[broadcastIndex(i, xShape, shape)] += x[i];
  return out;
}

/** `alpha * a + beta * b` in float64. */
export function axpbyRef(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  alpha: number,
  beta: number,
): Float64Array {
  return Float64Array.from(a, (v, i) => alpha * v + beta * b[i]);
}
