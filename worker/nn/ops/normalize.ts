/**
 * Differentiable projection of rows onto the unit sphere.
 */
import { l2Normalize as kl2Normalize, l2NormalizeGrad } from "../../gpu/kernels/mod.ts";
import type { Tape } from "../tape.ts";
import type { Tensor } from "../../gpu/mod.ts";

/** x / ‖x‖ for each row of `x` [R, D]. */
export function l2Normalize(tape: Tape, x: Tensor, eps?: number): Tensor {
  const y = kl2Normalize(x, eps);
  return tape.record("l2Normalize", [x], y, (dy) => [l2NormalizeGrad(x, y, dy)]);
}
