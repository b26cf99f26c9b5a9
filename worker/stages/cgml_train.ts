/**
 * `cgml.train@1`: the cGML map denoiser (Algorithm 1 on the backbone), corrupted map in, clean
 * map out; the whole training state is checkpointed every epoch (`trainMapDenoiser`).
 * @module
 */
import { cgmlTrain } from "../../pipelines/mod.ts";
import { trainMapDenoiser } from "../models/mod.ts";
import { decodeMapSet, decodeRecipe, encodeJson } from "./formats/mod.ts";
import { implement } from "./stage.ts";

/** Trains cGML on the train split. */
export default implement(cgmlTrain, async (ctx, p) => {
  const maps = decodeMapSet(await ctx.input("maps"));
  const recipe = decodeRecipe(await ctx.input("corruption"));
  const params = { ...p, model: "cgml" as const, cgml: p };
  const { model, curves } = await trainMapDenoiser(await ctx.gpu(), maps, recipe, params, ctx);
  return { model, curves: encodeJson(curves) };
});
