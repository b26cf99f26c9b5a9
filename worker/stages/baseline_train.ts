/**
 * `baseline.train@1` on the cGML backbone (same H, same decoder G, same data and corruption):
 * `l1` (the plain L1 regressor G(H(x)), trained by `CgmlTrainer`), `cvae` (a conditional VAE)
 * and `ce` (a Context Encoder: L1 + adversarial); see {@link trainBaselineLoop} for the last two.
 * @module
 */
import type { baselineTrain, StageParams } from "../../pipelines/mod.ts";
import { trainBaselineLoop } from "./baseline_loop.ts";
import { mapPairSource } from "./cgml_train.ts";
import { readRecipe } from "./corrupt.ts";
import { backboneConfig } from "./map_model.ts";
import { trainWithCgmlTrainer } from "./pair_training.ts";
import { readMapSet } from "./spectral_maps.ts";
import { paramsOf, type StageImpl } from "./types.ts";

/** Trains the baseline named by `model`. */
export const run: StageImpl = async (ctx) => {
  const p = paramsOf<StageParams<typeof baselineTrain>>(ctx);
  const maps = readMapSet(await ctx.input("maps"));
  const recipe = readRecipe(await ctx.input("corruption"));
  const { height, width } = maps.meta;
  const config = backboneConfig(p.model, height, width, p);
  const source = mapPairSource(maps, recipe, p.target, p.clean_weight);
  if (p.model === "l1") return await trainWithCgmlTrainer(ctx, "l1", config, source, p.target);
  return await trainBaselineLoop(ctx, config, source, { ...p, model: p.model });
};
