/** Test helpers shared by the kernel family tests (internal). */
import { AssertionError } from "../../../testing/assert.ts";
import type { Gpu } from "../device.ts";
import { Rng } from "../../lib/mod.ts";
import type { Tensor } from "../tensor.ts";

/** A random GPU tensor together with the values uploaded into it. */
export interface RandomTensor {
  t: Tensor;
  data: Float32Array;
}

/** Uploads `shape`-many uniform values in [lo, hi) drawn from `rng`. */
export function randomTensor(
  gpu: Gpu,
  rng: Rng,
  shape: number[],
  lo = -1,
  hi = 1,
): RandomTensor {
  const data = rng.uniformArray(shape.reduce((p, d) => p * d, 1), lo, hi);
  return { t: gpu.tensor(data, shape), data };
}

/** A fresh generator per test keeps tests independent of their order. */
export function rngFor(name: string): Rng {
  let h = 2166136261;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return new Rng(h);
}

/**
 * Throws unless `actual` differs from `wrong` somewhere by more than `tol`: proves that a
 * comparison is sensitive to the mistake `wrong` models (wrong axis, swapped operands, ...).
 */
export function assertDiffers(
  actual: ArrayLike<number>,
  wrong: ArrayLike<number>,
  tol = 1e-3,
  msg = "result matches a deliberately wrong reference",
): void {
  if (actual.length !== wrong.length) return;
  for (let i = 0; i < actual.length; i++) {
    if (!(Math.abs(actual[i] - wrong[i]) <= tol)) return;
  }
  throw new AssertionError(msg);
}
