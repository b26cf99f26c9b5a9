/**
 * `images.train@1`: cGML, the plain L1 regressor or a Context Encoder on an image task, on the
 * shared conv backbone (U-Net encoder H, decoder G with z at the bottleneck). With `hist_weight`
 * λ > 0 the H/G loss adds λ·Σ_c KL(hist_c ‖ U(0, 1)) over the predicted channels (the colour
 * prior of Sec. 5.2; soft histograms over each batch).
 * @module
 */
import type { imagesTrain, StageParams } from "../../pipelines/mod.ts";
import type { ExtraLoss } from "../cgml/mod.ts";
import { ops } from "../nn/mod.ts";
import { trainBaselineLoop } from "./baseline_loop.ts";
import { cgmlOverrides } from "./cgml_train.ts";
import { decodeImageSet, decodeTask } from "./image_artifacts.ts";
import { taskChannels, taskPairSource } from "./image_sources.ts";
import { backboneConfig } from "./map_model.ts";
import { trainWithCgmlTrainer } from "./pair_training.ts";
import { paramsOf, type StageImpl } from "./types.ts";

/** Trains the model named by `model`. */
export const run: StageImpl = async (ctx) => {
  const p = paramsOf<StageParams<typeof imagesTrain>>(ctx);
  const set = decodeImageSet(await ctx.input("images"));
  const task = decodeTask(await ctx.input("task"));
  const io = taskChannels(task);
  const source = taskPairSource(set, task, p.region_weight);
  const config = backboneConfig(
    p.model,
    set.height,
    set.width,
    { ...p, lift: 0 },
    p.model === "cgml" ? cgmlOverrides(p) : {},
    io,
  );
  const extra: ExtraLoss | undefined = p.hist_weight > 0
    ? (tape, prediction) => {
      const values = ops.reshape(tape, prediction, [
        prediction.size / io.outChannels,
        io.outChannels,
      ]);
      return ops.scale(tape, ops.histogramKl(tape, values, { bins: p.hist_bins }), p.hist_weight);
    }
    : undefined;
  if (p.model === "ce") {
    return await trainBaselineLoop(
      ctx,
      config,
      source,
      { ...p, model: "ce", kl_weight: 0, target: "clean" },
      extra,
    );
  }
  return await trainWithCgmlTrainer(ctx, p.model, config, source, "clean", extra);
};
