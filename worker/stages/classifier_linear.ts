/**
 * `classifier.linear@1` and `@2`: the linear probe (`fitLinearProbe`) trained on the train rows
 * of a feature table and scored on its test rows; `@2` also outputs the probe itself (layer and
 * card), so that a pipeline can publish it with its model.
 * @module
 */
import { classifierLinear, classifierLinearProbe } from "../../pipelines/mod.ts";
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

/** Trains and evaluates the probe, and outputs it. */
export const withProbe = implement(classifierLinearProbe, async (ctx, p) => {
  const table = decodeFeatures(await ctx.input("features"));
  const { probe, metrics } = await fitLinearProbe(await ctx.gpu(), table, p, ctx.progress);
  try {
    return { metrics: encodeJson(metrics), probe: await probe.encode() };
  } finally {
    probe.dispose();
  }
});
