/**
 * Differentiable reductions: sum and mean over axes.
 */
import { binary, fill, mean as kmean, sum as ksum } from "../../gpu/kernels/mod.ts";
import type { Tape } from "../tape.ts";
import type { Tensor } from "../../gpu/mod.ts";

/** Sum over `axes` (default: all), optionally keeping reduced axes as size 1. */
export function sum(tape: Tape, x: Tensor, axes?: readonly number[], keepDims = false): Tensor {
  const ax = normAxes(x, axes);
  const y = ksum(x, ax, keepDims);
  return tape.record("sum", [x], y, (dy) => [broadcastBack(tape, dy, x.shape, ax, 1)]);
}

/** Mean over `axes` (default: all), optionally keeping reduced axes as size 1. */
export function mean(tape: Tape, x: Tensor, axes?: readonly number[], keepDims = false): Tensor {
  const ax = normAxes(x, axes);
  const y = kmean(x, ax, keepDims);
  const count = ax.reduce((n, a) => n * x.shape[a], 1);
  return tape.record("mean", [x], y, (dy) => [
    broadcastBack(tape, dy, x.shape, ax, count === 0 ? 0 : 1 / count),
  ]);
}

function normAxes(x: Tensor, axes: readonly number[] | undefined): number[] {
  const ax = axes ?? x.shape.map((_, i) => i);
  return ax.map((a) => (a < 0 ? a + x.rank : a));
}

/** factor · dy broadcast back over the reduced axes to `shape`. */
function broadcastBack(
  tape: Tape,
  dy: Tensor,
  shape: readonly number[],
  axes: readonly number[],
  factor: number,
): Tensor {
  const keep = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const factors = fill(tape.gpu, shape, factor);
  const dyKeep = dy.reshape(keep);
  const dx = binary("mul", factors, dyKeep);
  factors.dispose();
  dyKeep.dispose();
  return dx;
}
