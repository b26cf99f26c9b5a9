/**
 * The paper's Sec. 5.1 image-completion task on grey images (MNIST): for a share of the
 * training images (`overlap_rate`, re-drawn every epoch) the top half is overlapped with the top
 * half of another random image (pixel-wise maximum); a rectangle of random size on the top half
 * is masked; the network sees the masked image and a mask channel and predicts the whole image.
 * Fig. 5's second experiment adds a small white box to the top-left of the ground truth of a
 * share `box_rate` of the training images (chosen once, {@link drawBoxFlags}, so that each
 * image keeps its mode and a persistent latent can learn it); the mask always covers the box,
 * so whether it is there cannot be seen.
 * @module
 */
import type { Rng } from "../lib/mod.ts";
import { imageAt, type ImageSet } from "./image_set.ts";

/** How the pairs are drawn. */
export interface CompletionRecipe {
  /** Share of training images whose top half is overlapped with another image's (paper: 0.2). */
  overlap_rate: number;
  /** Share of training images given the white box (Fig. 5: 0.1 … 0.4; 0 = none). */
  box_rate: number;
  /** Smallest mask as a share of the top half's height and of the width (largest: 1). */
  mask_min: number;
}

/** The box of Fig. 5: rows [top, top + size), columns [left, left + size). */
export interface BoxRegion {
  top: number;
  left: number;
  size: number;
}

/** Network input channels per pixel: masked value (0 under the mask), mask flag. */
export const COMPLETION_CHANNELS = 2;

/** The box for images of `height × width`: about a fifth of the side, one step in from the corner. */
export function boxRegion(height: number, width: number): BoxRegion {
  const size = Math.max(2, Math.round(Math.min(height, width) / 5));
  const inset = Math.max(1, Math.round(height / 28));
  return { top: inset, left: inset, size };
}

/** Drawn pairs: inputs [n, H, W, 2], targets [n, H, W], mask [n, H·W], box flags [n]. */
export interface CompletionPairs {
  inputs: Float32Array;
  targets: Float32Array;
  masked: Float32Array;
  boxed: Uint8Array;
}

/** Checks a recipe, naming the first bad field. */
export function validateCompletionRecipe(r: CompletionRecipe, height: number): void {
  for (const k of ["overlap_rate", "box_rate"] as const) {
    if (!(r[k] >= 0 && r[k] <= 1)) {
      throw new RangeError(`Cannot use the completion recipe: ${k} must be in [0, 1], got ${r[k]}`);
    }
  }
  const box = boxRegion(height, height);
  const minRows = Math.floor(r.mask_min * Math.floor(height / 2));
  if (!(r.mask_min > 0 && r.mask_min <= 1) || minRows < box.top + box.size) {
    throw new RangeError(
      `Cannot use the completion recipe: mask_min ${r.mask_min} must be in (0, 1] and mask at ` +
        `least ${box.top + box.size} of the top ${Math.floor(height / 2)} rows (the box)`,
    );
  }
}

/** Which of `n` training images carry the box: each with probability `rate`. */
export function drawBoxFlags(n: number, rate: number, rng: Rng): Uint8Array {
  return Uint8Array.from({ length: n }, () => (rng.uniform() < rate ? 1 : 0));
}

/**
 * Draws the pairs of images `rows` of the grey set `set`. Training pairs (`boxed` given, one
 * flag per row) get the overlap and the box; test pairs (`boxed` null) keep the clean image as
 * the target and only draw the mask.
 */
export function completionPairs(
  set: ImageSet,
  rows: readonly number[],
  recipe: CompletionRecipe,
  rng: Rng,
  boxed: Uint8Array | null,
): CompletionPairs {
  if (set.channels !== 1) {
    throw new RangeError(
      `Cannot draw completion pairs: the images have ${set.channels} channels, not 1`,
    );
  }
  const { height: H, width: W } = set;
  validateCompletionRecipe(recipe, H);
  const cells = H * W;
  const half = Math.floor(H / 2);
  const box = boxRegion(H, W);
  const n = rows.length;
  const inputs = new Float32Array(n * cells * COMPLETION_CHANNELS);
  const targets = new Float32Array(n * cells);
  const masked = new Float32Array(n * cells);
  const boxes = new Uint8Array(n);
  const train = boxed !== null;
  rows.forEach((r, i) => {
    const target = targets.subarray(i * cells, (i + 1) * cells);
    target.set(imageAt(set, r));
    if (train && rng.uniform() < recipe.overlap_rate) {
      const other = imageAt(set, rows[rng.int(rows.length)]);
      for (let k = 0; k < half * W; k++) target[k] = Math.max(target[k], other[k]);
    }
    if (boxed?.[i]) {
      boxes[i] = 1;
      for (let y = box.top; y < box.top + box.size; y++) {
        target.fill(1, y * W + box.left, y * W + box.left + box.size);
      }
    }
    const minRows = Math.max(box.top + box.size, Math.floor(recipe.mask_min * half));
    const h = minRows + rng.int(half - minRows + 1);
    const minCols = Math.max(box.left + box.size, Math.ceil(recipe.mask_min * W));
    const w = minCols + rng.int(W - minCols + 1);
    const left = rng.int(Math.min(box.left, W - w) + 1);
    const m = masked.subarray(i * cells, (i + 1) * cells);
    for (let y = 0; y < h; y++) m.fill(1, y * W + left, y * W + left + w);
    for (let k = 0; k < cells; k++) {
      const o = (i * cells + k) * COMPLETION_CHANNELS;
      inputs[o] = m[k] ? 0 : target[k];
      inputs[o + 1] = m[k];
    }
  });
  return { inputs, targets, masked, boxed: boxes };
}
