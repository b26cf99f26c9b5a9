/**
 * Helpers shared by the differentiable ops (internal).
 */
import type { Tensor } from "../../gpu/mod.ts";

/** A view of `t` with another shape; releases `t`, which the caller owned. */
export function reshapeOwned(t: Tensor, shape: readonly number[]): Tensor {
  const v = t.reshape(shape);
  t.dispose();
  return v;
}

/** Element count of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
