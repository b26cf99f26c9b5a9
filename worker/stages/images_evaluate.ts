/**
 * `images.evaluate@1`: k outputs per fixed test input (`BackboneModel.evaluationDraws`: cGML by Eq. 4
 * with or without ρ, or with T = 0 steps, i.e. no latent moves; L1 and CE repeat their single
 * output), scored by `evaluateImageDraws`, and a PNG grid of input, ground truth and samples.
 * @module
 */
import { imagesEvaluate } from "../../pipelines/mod.ts";
import { evaluateImageDraws, type ImageMetrics, sampleGrid } from "../eval/mod.ts";
import { BackboneModel } from "../models/mod.ts";
import { decodeImageSet, decodePairs, decodeTask, encodeJson } from "./formats/mod.ts";
import { implement } from "./stage.ts";

/** Evaluates one model. */
export default implement(imagesEvaluate, async (ctx, p) => {
  const set = decodeImageSet(await ctx.input("images"));
  const task = decodeTask(await ctx.input("task"));
  const test = decodePairs(await ctx.input("test"));
  const model = BackboneModel.decode(await ctx.gpu(), await ctx.input("model"));
  const start = performance.now();
  try {
    const m = test.rows.length;
    const out = await model.evaluationDraws(test.inputs, p, ctx.progress);
    const scored = evaluateImageDraws(set, task, test, out, p.k);
    const { modes, ...rest } = scored.metrics;
    const metrics: ImageMetrics = {
      model: model.predictorName(p),
      ...rest,
      seconds: (performance.now() - start) / 1000,
      ...(modes ? { modes } : {}),
    };
    const grid = sampleGrid(set, scored.rgb, p.k, Math.min(p.show, m));
    return { metrics: encodeJson(metrics), grid };
  } finally {
    model.dispose();
  }
});
