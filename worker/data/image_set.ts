/**
 * A labelled set of images with a train/test split: NHWC float32 pixels in [0, 1].
 * @module
 */
import type { ColourObjects } from "./colour_modes.ts";

/** Images with labels and a split. */
export interface ImageSet {
  /** Number of images. */
  count: number;
  height: number;
  width: number;
  /** 1 (grey) or 3 (RGB). */
  channels: number;
  /** [count, height, width, channels], values in [0, 1]. */
  pixels: Float32Array;
  /** Class index of each image (0 when unlabelled). */
  labels: Int32Array;
  /** 0 = train, 1 = test. */
  split: Int32Array;
  /** Class names by index. */
  classes: string[];
  /** A name per image (file path or source index). */
  ids: string[];
  /** Generated colour-mode images only: their objects, classes and hues (ground-truth modes). */
  objects?: ColourObjects;
}

/** Indices of the images in `split` (0 train, 1 test), in order. */
export function imageRows(set: ImageSet, split: 0 | 1): number[] {
  const rows: number[] = [];
  for (let i = 0; i < set.count; i++) if (set.split[i] === split) rows.push(i);
  return rows;
}

/** Pixels of one image (a view, not a copy). */
export function imageAt(set: ImageSet, i: number): Float32Array {
  const size = set.height * set.width * set.channels;
  return set.pixels.subarray(i * size, (i + 1) * size);
}
