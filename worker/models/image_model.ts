/**
 * The image models (paper Sec. 5.1, 5.2): cGML, the plain L1 regressor or a Context Encoder on
 * the backbone, trained on an image task's pairs (completion or colorization). With
 * `hist_weight` λ > 0 the H/G loss adds λ·Σ_c KL(hist_c ‖ U(0, 1)) over the predicted channels
 * (the colour prior of Sec. 5.2; soft histograms over each batch).
 * @module
 */
import type { CgmlConfig, CgmlModel, ExtraLoss } from "../cgml/mod.ts";
import { type ImageSet, type ImageTask, taskChannels, taskPairSource } from "../data/mod.ts";
import type { LossCurves } from "../eval/mod.ts";
import type { Gpu } from "../gpu/mod.ts";
import { ops } from "../nn/mod.ts";
import { trainBaselineLoop } from "./baseline_loop.ts";
import { backboneConfig, type BackboneParams } from "./backbone_config.ts";
import { BackboneModel } from "./backbone_model.ts";
import { type CgmlParams, cgmlSettings } from "./cgml_settings.ts";
import { fitPairs } from "./fit.ts";
import type { TrainHooks } from "./hooks.ts";

/** Params of an image model (`images.train@1`). */
export interface ImageModelParams extends Omit<BackboneParams, "lift">, CgmlParams {
  model: "cgml" | "l1" | "ce";
  /** Loss weight of the pixels outside the scored region. */
  region_weight: number;
  /** λ of the colour-histogram prior (0 = none). */
  hist_weight: number;
  hist_bins: number;
  /** Context Encoder only. */
  adv_weight: number;
}

/**
 * The configuration of an image model of `p` for `set`'s images and `task`'s channels; a
 * learning-rate schedule other than constant is refused for the Context Encoder (its own loop
 * keeps one rate).
 */
export function imageModelConfig(set: ImageSet, task: ImageTask, p: ImageModelParams): CgmlConfig {
  if (p.model === "ce" && p.lr_schedule && p.lr_schedule !== "constant") {
    throw new RangeError(
      `Cannot train a Context Encoder with lr_schedule "${p.lr_schedule}": only cgml and l1 have schedules`,
    );
  }
  const schedule = p.lr_schedule ? { lrSchedule: p.lr_schedule } : {};
  const extra = p.model === "cgml" ? cgmlSettings(p) : schedule;
  return backboneConfig(
    p.model,
    set.height,
    set.width,
    { ...p, lift: 0 },
    extra,
    taskChannels(task),
  );
}

/** Trains an image model on the train split of `set`; returns its artifact and loss curves. */
export function trainImageModel(
  gpu: Gpu,
  set: ImageSet,
  task: ImageTask,
  p: ImageModelParams,
  hooks: TrainHooks,
): Promise<{ model: Uint8Array; curves: LossCurves }> {
  const config = imageModelConfig(set, task, p);
  const io = taskChannels(task);
  const source = taskPairSource(set, task, p.region_weight);
  const prior = p.hist_weight > 0
    ? histogramPrior(io.outChannels, p.hist_bins, p.hist_weight)
    : undefined;
  const encode = (m: CgmlModel) =>
    BackboneModel.encode(m, {
      kind: p.model,
      target: "clean",
      input: { kind: "images", task: task.kind, height: set.height, width: set.width },
    });
  if (p.model === "ce") {
    const loop = { ...p, model: "ce" as const, kl_weight: 0 };
    return trainBaselineLoop(gpu, config, source, loop, hooks, encode, prior);
  }
  return fitPairs(gpu, config, source, hooks, encode, prior);
}

/** λ·Σ_c KL(hist_c ‖ U(0, 1)) of the predicted channels (soft histograms over the batch). */
function histogramPrior(channels: number, bins: number, weight: number): ExtraLoss {
  return (tape, prediction) => {
    const values = ops.reshape(tape, prediction, [prediction.size / channels, channels]);
    return ops.scale(tape, ops.histogramKl(tape, values, { bins }), weight);
  };
}
