/**
 * `toy.train@1`: cGML with 3-layer MLPs, or the L1 regressor, on toy data (`trainToyModel`).
 * @module
 */
import { toyTrain } from "../../pipelines/mod.ts";
import { trainToyModel } from "../models/mod.ts";
import { decodeToyData, encodeJson } from "./formats/mod.ts";
import { implement } from "./stage.ts";

/** Trains the model named by `model`. */
export default implement(toyTrain, async (ctx, p) => {
  const data = decodeToyData(await ctx.input("data"));
  const { model, curves } = await trainToyModel(await ctx.gpu(), data, p, ctx);
  return { model, curves: encodeJson(curves) };
});
