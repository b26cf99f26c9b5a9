import { assertEquals, assertThrows } from "../../testing/assert.ts";
import { imageTask, loadImageSet } from "../data/mod.ts";
import { imageModelConfig, type ImageModelParams } from "./image_model.ts";

const set = await loadImageSet({
  root: "",
  size: 8,
  limit: 100,
  generated: 10,
  generator: "colour_modes",
  maxObjects: 1,
  testFraction: 0.2,
  seed: 0,
});
const task = imageTask(set, {
  kind: "colorization",
  seed: 0,
  overlap_rate: 0,
  box_rate: 0,
  mask_min: 0.5,
});
const params: ImageModelParams = {
  model: "l1",
  width: 4,
  depth: 1,
  epochs: 3,
  batch: 4,
  lr: 0.01,
  seed: 0,
  latent_dim: 2,
  latents: "persistent",
  inner_steps: 2,
  beta: 1,
  alpha: 1,
  hg_once: false,
  lr_z: 0.001,
  spectral_norm: ["g"],
  output_scale: 10,
  region_weight: 0.25,
  hist_weight: 0,
  hist_bins: 16,
  adv_weight: 0.001,
};

Deno.test("the learning-rate schedule reaches cGML's and the L1 regressor's configuration", () => {
  for (const model of ["cgml", "l1"] as const) {
    assertEquals(imageModelConfig(set, task, { ...params, model }).lrSchedule, undefined);
    const cosine = imageModelConfig(set, task, { ...params, model, lr_schedule: "cosine" });
    assertEquals([cosine.method, cosine.lrSchedule, cosine.optimHG.lr], [model, "cosine", 0.01]);
  }
});

Deno.test("a Context Encoder refuses a learning-rate schedule by name", () => {
  imageModelConfig(set, task, { ...params, model: "ce", lr_schedule: "constant" });
  assertThrows(
    () => imageModelConfig(set, task, { ...params, model: "ce", lr_schedule: "cosine" }),
    RangeError,
    "lr_schedule",
  );
});
