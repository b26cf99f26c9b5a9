/**
 * `classifier.linear@1`: the linear probe (`fitLinearProbe`) trained on the train rows of a
 * feature table and scored on its test rows.
 * @module
 */
import { classifierLinear } from "../../pipelines/mod.ts";
import { fitLinearProbe } from "../models/mod.ts";
import { decodeFeatures, encodeJson } from "./formats/mod.ts";
import { implement } from "./stage.ts";

/** Trains and evaluates the probe. */
export default implement(classifierLinear, async (ctx, p) => {
  const table = decodeFeatures(await ctx.input("features"));
  const { probe, metrics } = await fitLinearProbe(await ctx.gpu(), table, p, ctx.progress);
  probe.dispose();
  return { metrics: encodeJson(metrics) };
});
