/**
 * The two image tasks: their recipe ({@link ImageTask}), training pairs as {@link PairSource}s
 * and fixed test pairs ({@link ImagePairs}):
 * - completion (Sec. 5.1): masked grey image and mask channel in, whole image out; overlap,
 *   mask and (for the images chosen once by the task's seed) the white box, redrawn every epoch;
 *   loss weight 1 on masked pixels and `regionWeight` elsewhere;
 * - colorization (Sec. 5.2): lightness L in, (a, b) out, all in the unit LAB scaling of
 *   `labToUnit`; the pairs are the same every epoch; on generated colour-mode images the loss
 *   weighs the objects' pixels 1 and the background `regionWeight`.
 * @module
 */
import { Rng } from "../lib/mod.ts";
import { labToUnit, rgbToLab } from "./color.ts";
import { objectWeights } from "./colour_modes.ts";
import {
  COMPLETION_CHANNELS,
  completionPairs,
  type CompletionRecipe,
  drawBoxFlags,
  validateCompletionRecipe,
} from "./completion.ts";
import { imageRows, type ImageSet } from "./image_set.ts";
import type { PairSource } from "./pairs.ts";

/** An image task: completion (Sec. 5.1) with its recipe, or colorization (Sec. 5.2). */
export type ImageTask =
  | ({ kind: "completion"; seed: number } & CompletionRecipe)
  | { kind: "colorization"; seed: number };

/** Fixed test pairs: network inputs, targets and the scored region of each image. */
export interface ImagePairs {
  /** Image indices in the image set. */
  rows: number[];
  /** [n, H, W, inChannels]. */
  inputs: Float32Array;
  /** [n, H, W, outChannels]. */
  targets: Float32Array;
  /** [n, H·W]: 1 where the prediction is scored. */
  region: Float32Array;
  inChannels: number;
  outChannels: number;
}

/** Settings of {@link imageTask}. */
export interface ImageTaskOptions extends CompletionRecipe {
  kind: "completion" | "colorization";
  seed: number;
}

/**
 * The task `o` describes on `set` (completion needs grey images, colorization RGB); throws
 * "Cannot …" when the images do not fit it.
 */
export function imageTask(set: ImageSet, o: ImageTaskOptions): ImageTask {
  if (o.kind === "colorization") {
    if (set.channels !== 3) {
      throw new Error(`Cannot set up colorization on ${set.channels}-channel images: it needs RGB`);
    }
    return { kind: "colorization", seed: o.seed };
  }
  if (set.channels !== 1) {
    throw new Error(
      `Cannot set up completion on ${set.channels}-channel images: it needs grey ones`,
    );
  }
  const task: ImageTask = {
    kind: "completion",
    seed: o.seed,
    overlap_rate: o.overlap_rate,
    box_rate: o.box_rate,
    mask_min: o.mask_min,
  };
  validateCompletionRecipe(task, set.height);
  return task;
}

/** Channels in and out of a task's network. */
export function taskChannels(task: ImageTask): { inChannels: number; outChannels: number } {
  return task.kind === "completion"
    ? { inChannels: COMPLETION_CHANNELS, outChannels: 1 }
    : { inChannels: 1, outChannels: 2 };
}

/** Which training images of a completion task carry the box (fixed by the task's seed). */
export function taskBoxFlags(task: ImageTask & { kind: "completion" }, n: number): Uint8Array {
  return drawBoxFlags(n, task.box_rate, new Rng((task.seed * 48_271 + 11) >>> 0));
}

/** Unit LAB planes of the images `rows`: L [n, H, W, 1] and (a, b) [n, H, W, 2]. */
export function labPlanes(
  set: ImageSet,
  rows: readonly number[],
): { l: Float32Array; ab: Float32Array } {
  if (set.channels !== 3) {
    throw new RangeError(`Cannot colorize: the images have ${set.channels} channels, not 3`);
  }
  const cells = set.height * set.width;
  const l = new Float32Array(rows.length * cells);
  const ab = new Float32Array(rows.length * cells * 2);
  rows.forEach((r, i) => {
    const unit = labToUnit(rgbToLab(set.pixels.subarray(r * cells * 3, (r + 1) * cells * 3)));
    for (let k = 0; k < cells; k++) {
      l[i * cells + k] = unit[k * 3];
      ab[(i * cells + k) * 2] = unit[k * 3 + 1];
      ab[(i * cells + k) * 2 + 1] = unit[k * 3 + 2];
    }
  });
  return { l, ab };
}

/** The training pairs of `task` on the train split of `set`. */
export function taskPairSource(set: ImageSet, task: ImageTask, regionWeight: number): PairSource {
  const rows = imageRows(set, 0);
  const cells = set.height * set.width;
  const { inChannels, outChannels } = taskChannels(task);
  const base = { n: rows.length, inDim: cells * inChannels, outDim: cells * outChannels };
  if (task.kind === "colorization") {
    const { l, ab } = labPlanes(set, rows);
    const w = set.objects && regionWeight !== 1
      ? objectWeights(set.objects, rows, cells, outChannels, regionWeight)
      : null;
    return { ...base, weighted: w !== null, draw: () => ({ x: l, y: ab, w }) };
  }
  const flags = taskBoxFlags(task, rows.length);
  return {
    ...base,
    weighted: regionWeight !== 1,
    draw(epoch) {
      const rng = new Rng((task.seed * 2_654_435_761 + epoch * 40_503 + 99) >>> 0);
      const p = completionPairs(set, rows, task, rng, flags);
      const w = regionWeight === 1 ? null : p.masked.map((m) => (m ? 1 : regionWeight));
      return { x: p.inputs, y: p.targets, w };
    },
  };
}

/** The fixed test pairs of `task` on the test split of `set`. */
export function taskTestPairs(set: ImageSet, task: ImageTask): ImagePairs {
  const rows = imageRows(set, 1);
  const { inChannels, outChannels } = taskChannels(task);
  if (task.kind === "colorization") {
    const { l, ab } = labPlanes(set, rows);
    const region = new Float32Array(rows.length * set.height * set.width).fill(1);
    return { rows, inputs: l, targets: ab, region, inChannels, outChannels };
  }
  const p = completionPairs(set, rows, task, new Rng((task.seed * 97 + 7_777_777) >>> 0), null);
  return { rows, inputs: p.inputs, targets: p.targets, region: p.masked, inChannels, outChannels };
}
