/**
 * `toy.evaluate@1`: the four predictors of the toy experiment against the ground truth, and
 * the figure (`evaluateToy`).
 * @module
 */
import { toyEvaluate } from "../../pipelines/mod.ts";
import { evaluateToy, ToyModel } from "../models/mod.ts";
import { decodeToyData, encodeJson } from "./formats/mod.ts";
import { implement } from "./stage.ts";

/** Evaluates the two models. */
export default implement(toyEvaluate, async (ctx, p) => {
  const data = decodeToyData(await ctx.input("data"));
  const gpu = await ctx.gpu();
  const cgml = ToyModel.decode(gpu, await ctx.input("cgml"));
  try {
    const l1 = ToyModel.decode(gpu, await ctx.input("l1"));
    try {
      const { metrics, svg } = await evaluateToy(data, { cgml, l1 }, p, ctx.progress);
      return { metrics: encodeJson(metrics), figure: new TextEncoder().encode(svg) };
    } finally {
      l1.dispose();
    }
  } finally {
    cgml.dispose();
  }
});
