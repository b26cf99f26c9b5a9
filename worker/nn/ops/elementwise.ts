/**
 * Differentiable elementwise ops: broadcasting arithmetic, activations and scalar affine maps.
 */
import { binary, sumToShape, unary, unaryGrad, type UnaryOp } from "../../gpu/kernels/mod.ts";
import type { Tape } from "../tape.ts";
import { reshapeOwned, sizeOf } from "./_util.ts";
import type { Tensor } from "../../gpu/mod.ts";

/** `a + b` with numpy broadcasting. */
export function add(tape: Tape, a: Tensor, b: Tensor): Tensor {
  return tape.record("add", [a, b], binary("add", a, b), (dy, needs) => [
    needs[0] ? reduceTo(dy, a.shape) : null,
    needs[1] ? reduceTo(dy, b.shape) : null,
  ]);
}

/** `a - b` with numpy broadcasting. */
export function sub(tape: Tape, a: Tensor, b: Tensor): Tensor {
  return tape.record("sub", [a, b], binary("sub", a, b), (dy, needs) => [
    needs[0] ? reduceTo(dy, a.shape) : null,
    needs[1] ? negReduceTo(dy, b.shape) : null,
  ]);
}

/** `a * b` with numpy broadcasting. */
export function mul(tape: Tape, a: Tensor, b: Tensor): Tensor {
  return tape.record("mul", [a, b], binary("mul", a, b), (dy, needs) => [
    needs[0] ? productReduceTo(dy, b, a.shape) : null,
    needs[1] ? productReduceTo(dy, a, b.shape) : null,
  ]);
}

/** `a / b` with numpy broadcasting. */
export function div(tape: Tape, a: Tensor, b: Tensor): Tensor {
  const y = binary("div", a, b);
  return tape.record("div", [a, b], y, (dy, needs) => {
    let db: Tensor | null = null;
    if (needs[1]) {
      const dyy = binary("mul", dy, y);
      const q = binary("div", dyy, b);
      dyy.dispose();
      db = negReduceTo(q, b.shape);
      q.dispose();
    }
    let da: Tensor | null = null;
    if (needs[0]) {
      const q = binary("div", dy, b);
      da = reduceTo(q, a.shape);
      q.dispose();
    }
    return [da, db];
  });
}

/** Applies an elementwise kernel op (activation or scalar map) with its exact gradient. */
export function unaryOp(tape: Tape, op: UnaryOp, x: Tensor, alpha?: number): Tensor {
  const opts = alpha === undefined ? {} : { alpha };
  const y = unary(op, x, opts);
  return tape.record(op, [x], y, (dy) => [unaryGrad(op, x, y, dy, opts)]);
}

/** max(x, 0). */
export function relu(tape: Tape, x: Tensor): Tensor {
  return unaryOp(tape, "relu", x);
}

/** x for x > 0, slope·x otherwise. */
export function leakyRelu(tape: Tape, x: Tensor, slope = 0.2): Tensor {
  return unaryOp(tape, "leaky_relu", x, slope);
}

/** Hyperbolic tangent. */
export function tanh(tape: Tape, x: Tensor): Tensor {
  return unaryOp(tape, "tanh", x);
}

/** Logistic sigmoid. */
export function sigmoid(tape: Tape, x: Tensor): Tensor {
  return unaryOp(tape, "sigmoid", x);
}

/** log(1 + exp(x)). */
export function softplus(tape: Tape, x: Tensor): Tensor {
  return unaryOp(tape, "softplus", x);
}

/** alpha · x. */
export function scale(tape: Tape, x: Tensor, alpha: number): Tensor {
  return unaryOp(tape, "scale", x, alpha);
}

/** x + alpha. */
export function addScalar(tape: Tape, x: Tensor, alpha: number): Tensor {
  return unaryOp(tape, "add_scalar", x, alpha);
}

/** `dy` summed down to `shape` (a view when nothing is broadcast). */
function reduceTo(dy: Tensor, shape: readonly number[]): Tensor {
  return dy.size === sizeOf(shape) ? dy.reshape(shape) : sumToShape(dy, shape);
}

function negReduceTo(dy: Tensor, shape: readonly number[]): Tensor {
  if (dy.size === sizeOf(shape)) return reshapeOwned(unary("scale", dy, { alpha: -1 }), shape);
  const s = sumToShape(dy, shape);
  const n = unary("scale", s, { alpha: -1 });
  s.dispose();
  return n;
}

function productReduceTo(dy: Tensor, other: Tensor, shape: readonly number[]): Tensor {
  const p = binary("mul", dy, other);
  if (p.size === sizeOf(shape)) return reshapeOwned(p, shape);
  const s = sumToShape(p, shape);
  p.dispose();
  return s;
}
