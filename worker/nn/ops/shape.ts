/**
 * Differentiable shape ops: reshape, concat, slice.
 */
import { concat as kconcat, slice as kslice, sliceGrad } from "../../gpu/kernels/mod.ts";
import type { Tape } from "../tape.ts";
import type { Tensor } from "../../gpu/mod.ts";

/** A view of `x` with another shape of the same size (no copy). */
export function reshape(tape: Tape, x: Tensor, shape: readonly number[]): Tensor {
  return tape.record("reshape", [x], x.reshape(shape), (dy) => [dy.reshape(x.shape)]);
}

/** Joins tensors along `axis`; the other dimensions must agree. */
export function concat(tape: Tape, xs: readonly Tensor[], axis: number): Tensor {
  if (xs.length === 0) throw new RangeError("Cannot concat: no tensors given");
  const ax = axis < 0 ? axis + xs[0].rank : axis;
  const y = kconcat(xs, ax);
  const starts: number[] = [];
  let at = 0;
  for (const x of xs) {
    starts.push(at);
    at += x.shape[ax];
  }
  return tape.record(
    "concat",
    xs,
    y,
    (dy, needs) => xs.map((x, i) => needs[i] ? kslice(dy, ax, starts[i], x.shape[ax]) : null),
  );
}

/** `length` entries of `x` along `axis` starting at `start`. */
export function slice(tape: Tape, x: Tensor, axis: number, start: number, length: number): Tensor {
  const ax = axis < 0 ? axis + x.rank : axis;
  const y = kslice(x, ax, start, length);
  return tape.record("slice", [x], y, (dy) => [sliceGrad(dy, x.shape, ax, start)]);
}
