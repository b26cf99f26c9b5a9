/**
 * Elementwise kernels: unary activations and their gradients, binary ops with numpy
 * broadcasting, broadcast-gradient reduction, `alpha·a + beta·b` and fills.
 *
 * Every op is one dispatch, over vec4 items wherever the layout allows. Broadcasting
 * collapses the aligned shapes into at most {@link MAX_BROADCAST_RANK} blocks (neighbouring
 * dimensions with the same broadcast pattern merge) and gives each operand a stride per block
 * (0 where it is broadcast); the kernel splits the output index into block coordinates and dots
 * them with the strides. A vec4 item spans four positions of the last block, so a broadcast
 * operand there is one splatted element.
 */
import type { Gpu } from "../device.ts";
import { kernel, read, readWrite, type UniformType } from "../kernel.ts";
import type { Tensor } from "../tensor.ts";
import {
  fmt,
  LINEAR_MAIN,
  linearGrid,
  prod,
  requireSameShape,
  sameShape,
  vec4Count,
} from "./_common.ts";
import { sum } from "./reduce.ts";

/** Unary operations; `leaky_relu` (slope), `scale` and `add_scalar` take `alpha`. */
export type UnaryOp =
  | "neg"
  | "abs"
  | "exp"
  | "log"
  | "sqrt"
  | "square"
  | "relu"
  | "leaky_relu"
  | "tanh"
  | "sigmoid"
  | "softplus"
  | "scale"
  | "add_scalar";

/** Binary operations with numpy broadcasting. */
export type BinaryOp = "add" | "sub" | "mul" | "div" | "max" | "min";

/** Options of {@link unary} and {@link unaryGrad}. */
export interface UnaryOptions {
  /**
   * Slope of `leaky_relu` (default 0.01), factor of `scale`, addend of `add_scalar` (both
   * required).
   */
  alpha?: number;
}

/**
 * Which tensor {@link unaryGrad} reads for each op besides `dy`: the forward input `x`, the
 * forward output `y`, or neither. Only that one must be passed (the other may be null).
 */
export const UNARY_GRAD_INPUT: Readonly<Record<UnaryOp, "x" | "y" | "none">> = {
  neg: "none",
  abs: "x",
  exp: "y",
  log: "x",
  sqrt: "y",
  square: "x",
  relu: "y",
  leaky_relu: "x",
  tanh: "y",
  sigmoid: "y",
  softplus: "x",
  scale: "none",
  add_scalar: "none",
};

/** Most collapsed broadcast blocks a binary op supports. */
export const MAX_BROADCAST_RANK = 6;

const V4 = "vec4<f32>";
const ZERO = `${V4}(0.0)`;

const UNARY_WGSL: Record<UnaryOp, string> = {
  neg: "-x",
  abs: "abs(x)",
  exp: "exp(x)",
  log: "log(x)",
  sqrt: "sqrt(x)",
  square: "x * x",
  relu: `max(x, ${ZERO})`,
  leaky_relu: `select(x * p.alpha, x, x > ${ZERO})`,
  tanh: `tanh(clamp(x, ${V4}(-15.0), ${V4}(15.0)))`,
  sigmoid: "sigmoid(x)",
  softplus: "softplus(x)",
  scale: "x * p.alpha",
  add_scalar: "x + p.alpha",
};

const UNARY_GRAD_WGSL: Record<UnaryOp, string> = {
  neg: "-dy",
  abs: "sign(x) * dy",
  exp: "y * dy",
  log: "dy / x",
  sqrt: "dy * 0.5 / y",
  square: "2.0 * x * dy",
  relu: `select(${ZERO}, dy, y > ${ZERO})`,
  leaky_relu: `select(dy * p.alpha, dy, x > ${ZERO})`,
  tanh: "(1.0 - y * y) * dy",
  sigmoid: "y * (1.0 - y) * dy",
  softplus: "sigmoid(x) * dy",
  scale: "dy * p.alpha",
  add_scalar: "dy",
};

const BINARY_WGSL: Record<BinaryOp, string> = {
  add: "va + vb",
  sub: "va - vb",
  mul: "va * vb",
  div: "va / vb",
  max: "max(va, vb)",
  min: "min(va, vb)",
};

const HELPERS = `
fn sigmoid(x: ${V4}) -> ${V4} {
  let e = exp(-abs(x));
  let s = 1.0 / (1.0 + e);
  return select(e * s, s, x >= ${ZERO});
}
fn softplus(x: ${V4}) -> ${V4} {
  let e = exp(-abs(x));
  let series = e * (1.0 - e * (0.5 - e * (1.0 / 3.0 - e * 0.25)));
  return max(x, ${ZERO}) + select(log(1.0 + e), series, e < ${V4}(0.01));
}`;

function alphaOf(op: UnaryOp, opts: UnaryOptions): number {
  if (opts.alpha !== undefined) return opts.alpha;
  if (op === "scale" || op === "add_scalar") {
    throw new RangeError(`Cannot apply ${op}: the alpha option is required`);
  }
  return op === "leaky_relu" ? 0.01 : 0;
}

const UNARY = kernel({
  name: (op: UnaryOp) => `unary_${op}`,
  bindings: { src: read(V4), dst: readWrite(V4) },
  uniforms: { n: "u32", alpha: "f32" },
  key: () => "v4",
  body: (op) =>
    `${HELPERS}
${LINEAR_MAIN}
  if (gi >= p.n) { return; }
  let x = src[gi];
  dst[gi] = ${UNARY_WGSL[op]};
}`,
});

/** Applies a unary op elementwise; returns a new tensor of the same shape. */
export function unary(op: UnaryOp, x: Tensor, opts: UnaryOptions = {}): Tensor {
  if (!(op in UNARY_WGSL)) throw new RangeError(`Cannot apply unknown unary op "${op}"`);
  const alpha = alphaOf(op, opts);
  const out = x.gpu.empty(x.shape);
  if (x.size === 0) return out;
  const n = vec4Count(x.size);
  UNARY.run(x.gpu, {
    variant: op,
    buffers: { src: x, dst: out },
    uniforms: { n, alpha },
    workgroups: linearGrid(n),
  });
  return out;
}

const UNARY_GRAD = kernel({
  name: (op: UnaryOp) => `unary_grad_${op}`,
  bindings: (op) => {
    const need = UNARY_GRAD_INPUT[op];
    return {
      ...(need === "none" ? {} : { [`in_${need}`]: read(V4) }),
      in_dy: read(V4),
      dst: readWrite(V4),
    };
  },
  uniforms: { n: "u32", alpha: "f32" },
  key: () => "v4",
  body: (op) => {
    const need = UNARY_GRAD_INPUT[op];
    const loads = need === "none"
      ? "let dy = in_dy[gi];"
      : `let ${need} = in_${need}[gi]; let dy = in_dy[gi];`;
    return `${HELPERS}
${LINEAR_MAIN}
  if (gi >= p.n) { return; }
  ${loads}
  dst[gi] = ${UNARY_GRAD_WGSL[op]};
}`;
  },
});

/**
 * Gradient of {@link unary}: returns dx given the forward input `x`, forward output `y` and the
 * output gradient `dy`. Only the tensor named by {@link UNARY_GRAD_INPUT} is read.
 */
export function unaryGrad(
  op: UnaryOp,
  x: Tensor | null,
  y: Tensor | null,
  dy: Tensor,
  opts: UnaryOptions = {},
): Tensor {
  const need = UNARY_GRAD_INPUT[op];
  if (need === undefined) throw new RangeError(`Cannot differentiate unknown unary op "${op}"`);
  const saved = need === "x" ? x : need === "y" ? y : null;
  if (need !== "none") {
    if (!saved) throw new RangeError(`Cannot differentiate ${op}: it needs the forward ${need}`);
    requireSameShape(`differentiate ${op}`, saved, dy);
  }
  const alpha = alphaOf(op, opts);
  const out = dy.gpu.empty(dy.shape);
  if (dy.size === 0) return out;
  const n = vec4Count(dy.size);
  UNARY_GRAD.run(dy.gpu, {
    variant: op,
    buffers: { ...(saved ? { [`in_${need}`]: saved } : {}), in_dy: dy, dst: out },
    uniforms: { n, alpha },
    workgroups: linearGrid(n),
  });
  return out;
}

/** The numpy broadcast of two shapes; throws a RangeError when they are incompatible. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let k = 0; k < rank; k++) {
    const da = a[a.length - rank + k] ?? 1;
    const db = b[b.length - rank + k] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(`Cannot broadcast shapes ${fmt(a)} and ${fmt(b)}`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

interface Collapsed {
  dims: number[];
  strideA: number[];
  strideB: number[];
}

function collapseBroadcast(
  out: readonly number[],
  a: readonly number[],
  b: readonly number[],
): Collapsed {
  const dims: number[] = [];
  const fullA: boolean[] = [];
  const fullB: boolean[] = [];
  for (let k = 0; k < out.length; k++) {
    if (out[k] === 1) continue;
    const fa = (a[a.length - out.length + k] ?? 1) !== 1;
    const fb = (b[b.length - out.length + k] ?? 1) !== 1;
    const last = dims.length - 1;
    if (last >= 0 && fullA[last] === fa && fullB[last] === fb) dims[last] *= out[k];
    else {
      dims.push(out[k]);
      fullA.push(fa);
      fullB.push(fb);
    }
  }
  if (dims.length === 0) return { dims: [1], strideA: [0], strideB: [0] };
  const strides = (full: boolean[]) => {
    const s = dims.map(() => 0);
    let acc = 1;
    for (let k = dims.length - 1; k >= 0; k--) {
      if (full[k]) {
        s[k] = acc;
        acc *= dims[k];
      }
    }
    return s;
  };
  return { dims, strideA: strides(fullA), strideB: strides(fullB) };
}

/** Applies a binary op with numpy broadcasting; returns a new tensor of the broadcast shape. */
export function binary(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  if (!(op in BINARY_WGSL)) throw new RangeError(`Cannot apply unknown binary op "${op}"`);
  const shape = broadcastShapes(a.shape, b.shape);
  const gpu = a.gpu;
  const out = gpu.empty(shape);
  if (out.size === 0) return out;
  const { dims, strideA, strideB } = collapseBroadcast(shape, a.shape, b.shape);
  if (dims.length > MAX_BROADCAST_RANK) {
    out.dispose();
    throw new RangeError(
      `Cannot ${op} ${fmt(a.shape)} and ${fmt(b.shape)}: more than ${MAX_BROADCAST_RANK} ` +
        "alternating broadcast blocks",
    );
  }
  const r = dims.length;
  if (r === 1 && strideA[0] === 1 && strideB[0] === 1) {
    const n = vec4Count(out.size);
    BINARY_FLAT.run(gpu, {
      variant: op,
      buffers: { a, b, dst: out },
      uniforms: { n },
      workgroups: linearGrid(n),
    });
    return out;
  }
  const vec = r === 1 || dims[r - 1] % 4 === 0;
  if (vec) dims[r - 1] = vec4Count(dims[r - 1]);
  const n = prod(dims);
  const pad = MAX_BROADCAST_RANK - r;
  const uniforms: Record<string, number> = { n };
  for (let k = 0; k < MAX_BROADCAST_RANK; k++) {
    uniforms[`d${k}`] = k < pad ? 1 : dims[k - pad];
    uniforms[`a${k}`] = k < pad ? 0 : strideA[k - pad];
    uniforms[`b${k}`] = k < pad ? 0 : strideB[k - pad];
  }
  BINARY_BROADCAST.run(gpu, {
    variant: { op, vec },
    buffers: { a, b, dst: out },
    uniforms,
    workgroups: linearGrid(n),
  });
  return out;
}

const BINARY_FLAT = kernel({
  name: (op: BinaryOp) => `binary_${op}`,
  bindings: { a: read(V4), b: read(V4), dst: readWrite(V4) },
  uniforms: { n: "u32" },
  key: () => "flat",
  body: (op) => `
${LINEAR_MAIN}
  if (gi >= p.n) { return; }
  let va = a[gi];
  let vb = b[gi];
  dst[gi] = ${BINARY_WGSL[op]};
}`,
});

/** Uniforms of the broadcast kernel: the item count, then per block its size and strides. */
const BROADCAST_UNIFORMS: Record<string, UniformType> = Object.fromEntries([
  ["n", "u32"],
  ...["d", "a", "b"].flatMap((f) =>
    Array.from({ length: MAX_BROADCAST_RANK }, (_, k) => [`${f}${k}`, "u32"])
  ),
]);

const BINARY_BROADCAST = kernel({
  name: (v: { op: BinaryOp; vec: boolean }) => `binary_${v.op}`,
  bindings: ({ vec }) => {
    const t = vec ? V4 : "f32";
    return { a: read(t), b: read(t), dst: readWrite(t) };
  },
  uniforms: BROADCAST_UNIFORMS,
  key: ({ vec }) => (vec ? "bcast_v4" : "bcast_s"),
  body: ({ op, vec }) => broadcastBody(op, vec),
});

function broadcastBody(op: BinaryOp, vec: boolean): string {
  const R = MAX_BROADCAST_RANK;
  const steps: string[] = [];
  for (let k = R - 1; k >= 0; k--) {
    const w = vec && k === R - 1 ? " * 4u" : "";
    steps.push(
      `{ let c = q % p.d${k}; q = q / p.d${k}; ia += c * p.a${k}${w}; ib += c * p.b${k}${w}; }`,
    );
  }
  const load = (v: string, s: string, i: string) =>
    vec
      ? `var ${v}: ${V4};
  if (p.${s}${
        R - 1
      } == 1u) { ${v} = ${s}[${i} >> 2u]; } else { ${v} = ${V4}(${s}[${i} >> 2u][${i} & 3u]); }`
      : `let ${v} = ${s}[${i}];`;
  return `
${LINEAR_MAIN}
  if (gi >= p.n) { return; }
  var q = gi;
  var ia = 0u;
  var ib = 0u;
  ${steps.join("\n  ")}
  ${load("va", "a", "ia")}
  ${load("vb", "b", "ib")}
  dst[gi] = ${BINARY_WGSL[op]};
}`;
}

/**
 * Sums `x` down to `shape`, which must broadcast to `x.shape` (the gradient of a broadcast
 * operand). Returns a new tensor of `shape`.
 */
export function sumToShape(x: Tensor, shape: readonly number[]): Tensor {
  const lead = x.shape.length - shape.length;
  const fits = lead >= 0 && shape.every((d, k) => d === 1 || d === x.shape[lead + k]);
  if (!fits) throw new RangeError(`Cannot sum ${fmt(x.shape)} to shape ${fmt(shape)}`);
  const axes: number[] = [];
  for (let k = 0; k < x.shape.length; k++) {
    if (k < lead || (shape[k - lead] === 1 && x.shape[k] !== 1)) axes.push(k);
  }
  const reduced = sum(x, axes, false);
  if (sameShape(reduced.shape, shape)) return reduced;
  const out = reduced.reshape(shape);
  reduced.dispose();
  return out;
}

const AXPBY = kernel({
  name: "axpby",
  bindings: { a: read(V4), b: read(V4), dst: readWrite(V4) },
  uniforms: { n: "u32", alpha: "f32", beta: "f32" },
  key: () => "v4",
  body: () => `
${LINEAR_MAIN}
  if (gi >= p.n) { return; }
  dst[gi] = p.alpha * a[gi] + p.beta * b[gi];
}`,
});

/** Returns `alpha * a + beta * b` for tensors of one shape. */
export function axpby(a: Tensor, b: Tensor, alpha: number, beta: number): Tensor {
  requireSameShape("axpby", a, b);
  const out = a.gpu.empty(a.shape);
  if (a.size === 0) return out;
  const n = vec4Count(a.size);
  AXPBY.run(a.gpu, {
    buffers: { a, b, dst: out },
    uniforms: { n, alpha, beta },
    workgroups: linearGrid(n),
  });
  return out;
}

const FILL = kernel({
  name: "fill",
  bindings: { dst: readWrite(V4) },
  uniforms: { n: "u32", value: "f32" },
  key: () => "v4",
  body: () => `
${LINEAR_MAIN}
  if (gi >= p.n) { return; }
  dst[gi] = ${V4}(p.value);
}`,
});

/** Sets every element of `t` to `value`, in place (recorded like any kernel). */
export function fillInPlace(t: Tensor, value: number): void {
  if (t.size === 0) return;
  const n = vec4Count(t.size);
  FILL.run(t.gpu, { buffers: { dst: t }, uniforms: { n, value }, workgroups: linearGrid(n) });
}

/** A new tensor of `shape` with every element `value`. */
export function fill(gpu: Gpu, shape: readonly number[], value: number): Tensor {
  const t = gpu.empty(shape);
  fillInPlace(t, value);
  return t;
}
