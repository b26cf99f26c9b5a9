/**
 * `images.train@1`: cGML, the plain L1 regressor or a Context Encoder on an image task
 * (`trainImageModel`).
 * @module
 */
import { imagesTrain } from "../../pipelines/mod.ts";
import { trainImageModel } from "../models/mod.ts";
import { decodeImageSet, decodeTask, encodeJson } from "./formats/mod.ts";
import { implement } from "./stage.ts";

/** Trains the model named by `model`. */
export default implement(imagesTrain, async (ctx, p) => {
  const set = decodeImageSet(await ctx.input("images"));
  const task = decodeTask(await ctx.input("task"));
  const { model, curves } = await trainImageModel(await ctx.gpu(), set, task, p, ctx);
  return { model, curves: encodeJson(curves) };
});
