/**
 * Elementwise kernels: unary activations and their gradients, `alpha·a + beta·b` and fills
 * (binary ops with broadcasting: `binary.ts`). Every op is one dispatch over vec4 items.
 */
import type { Gpu } from "../device.ts";
import { kernel, read, readWrite } from "../kernel.ts";
import type { Tensor } from "../tensor.ts";
import { LINEAR_MAIN, linearGrid, requireSameShape, vec4Count } from "./_common.ts";

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
