/**
 * `images.task@1`: the recipe of an image task (completion with overlap and the white box, or
 * colorization) and its fixed test pairs (data/image_tasks.ts).
 * @module
 */
import { imagesTask } from "../../pipelines/mod.ts";
import { imageTask, taskTestPairs } from "../data/mod.ts";
import { decodeImageSet, encodePairs, encodeTask } from "./formats/mod.ts";
import { implement } from "./stage.ts";

/** Writes the task and its test pairs. */
export default implement(imagesTask, async (ctx, p) => {
  const set = decodeImageSet(await ctx.input("images"));
  const task = imageTask(set, p);
  return { task: encodeTask(task), test: encodePairs(taskTestPairs(set, task)) };
});
