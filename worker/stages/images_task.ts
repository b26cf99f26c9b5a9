/**
 * `images.task@1`: the recipe of an image task (completion with overlap and the white box, or
 * colorization) and its fixed test pairs.
 * @module
 */
import type { imagesTask, StageParams } from "../../pipelines/mod.ts";
import { validateCompletionRecipe } from "../data/mod.ts";
import { decodeImageSet, encodePairs, encodeTask, type ImageTask } from "./image_artifacts.ts";
import { taskTestPairs } from "./image_sources.ts";
import { paramsOf, type StageImpl } from "./types.ts";

/** Writes the task and its test pairs. */
export const run: StageImpl = async (ctx) => {
  const p = paramsOf<StageParams<typeof imagesTask>>(ctx);
  const set = decodeImageSet(await ctx.input("images"));
  let task: ImageTask;
  if (p.kind === "completion") {
    if (set.channels !== 1) {
      throw new Error(
        `Cannot set up completion on ${set.channels}-channel images: it needs grey ones`,
      );
    }
    task = {
      kind: "completion",
      seed: p.seed,
      overlap_rate: p.overlap_rate,
      box_rate: p.box_rate,
      mask_min: p.mask_min,
    };
    validateCompletionRecipe(task, set.height);
  } else {
    if (set.channels !== 3) {
      throw new Error(`Cannot set up colorization on ${set.channels}-channel images: it needs RGB`);
    }
    task = { kind: "colorization", seed: p.seed };
  }
  return { task: encodeTask(task), test: encodePairs(taskTestPairs(set, task)) };
};
