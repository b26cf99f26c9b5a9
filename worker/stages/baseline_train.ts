/**
 * `baseline.train@1`: a baseline map denoiser on the cGML backbone (same H, same decoder G,
 * same data and corruption): `l1`, `cvae` or `ce` (`trainMapDenoiser`).
 * @module
 */
import { baselineTrain } from "../../pipelines/mod.ts";
import { trainMapDenoiser } from "../models/mod.ts";
import { decodeMapSet, decodeRecipe, encodeJson } from "./formats/mod.ts";
import { implement } from "./stage.ts";

/** Trains the baseline named by `model`. */
export default implement(baselineTrain, async (ctx, p) => {
  const maps = decodeMapSet(await ctx.input("maps"));
  const recipe = decodeRecipe(await ctx.input("corruption"));
  const { model, curves } = await trainMapDenoiser(await ctx.gpu(), maps, recipe, p, ctx);
  return { model, curves: encodeJson(curves) };
});
