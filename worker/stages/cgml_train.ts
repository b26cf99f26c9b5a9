/**
 * `cgml.train@1`: cGML (Algorithm 1, `CgmlTrainer`) on the conv backbone, corrupted map in,
 * clean map out; the corruption is redrawn from the recipe at the start of every epoch, and the
 * whole training state is checkpointed every epoch (so `--resume` continues a killed run).
 * @module
 */
import type { cgmlTrain, StageParams } from "../../pipelines/mod.ts";
import type { CgmlConfigInput } from "../cgml/mod.ts";
import { corruptMaps, epochRng, INPUT_CHANNELS, readRecipe, type Recipe } from "./corrupt.ts";
import { backboneConfig, lossWeights, type MapTarget, targetsOf } from "./map_model.ts";
import { type PairSource, trainWithCgmlTrainer } from "./pair_training.ts";
import { type MapSet, readMapSet, splitRows } from "./spectral_maps.ts";
import { paramsOf, type StageImpl } from "./types.ts";

/** Trains cGML on the train split. */
export const run: StageImpl = async (ctx) => {
  const p = paramsOf<StageParams<typeof cgmlTrain>>(ctx);
  const maps = readMapSet(await ctx.input("maps"));
  const recipe = readRecipe(await ctx.input("corruption"));
  const { height, width } = maps.meta;
  const config = backboneConfig("cgml", height, width, p, cgmlOverrides(p));
  const source = mapPairSource(maps, recipe, p.target, p.clean_weight);
  return await trainWithCgmlTrainer(ctx, "cgml", config, source, p.target);
};

/** cGML settings of the stage params (Algorithm 1, latents, Lipschitz constraints). */
export function cgmlOverrides(
  p: Pick<
    StageParams<typeof cgmlTrain>,
    | "latents"
    | "inner_steps"
    | "beta"
    | "alpha"
    | "hg_once"
    | "lr_z"
    | "spectral_norm"
    | "output_scale"
  >,
): CgmlConfigInput {
  const scaled = (net: "h" | "g" | "z") => p.spectral_norm.includes(net) ? p.output_scale : 1;
  return {
    latents: p.latents,
    innerSteps: p.inner_steps,
    beta: p.beta,
    alpha: p.alpha,
    updateHGOnce: p.hg_once,
    optimZ: { lr: p.lr_z },
    H: { spectralNorm: p.spectral_norm.includes("h"), outputScale: 1 },
    G: { spectralNorm: p.spectral_norm.includes("g"), outputScale: scaled("g") },
    Z: { spectralNorm: p.spectral_norm.includes("z"), outputScale: scaled("z") },
  };
}

/**
 * The map pairs of the train split: corrupted map in, clean map (or residual) out, with the
 * corruption (and the loss weights: corrupted cells 1, other valid cells `cleanWeight`, padding
 * 0; none when `cleanWeight` is 1) redrawn every epoch from the recipe.
 */
export function mapPairSource(
  maps: MapSet,
  recipe: Recipe,
  target: MapTarget,
  cleanWeight: number,
): PairSource {
  const { height, width } = maps.meta;
  const cells = height * width;
  const rows = splitRows(maps, 0);
  return {
    n: rows.length,
    inDim: cells * INPUT_CHANNELS,
    outDim: cells,
    weighted: cleanWeight !== 1,
    draw(epoch) {
      const { inputs, changed } = corruptMaps(
        maps.values,
        maps.valid,
        height,
        width,
        rows,
        recipe,
        epochRng(recipe, epoch),
      );
      return {
        x: inputs,
        y: targetsOf(target, maps.values, cells, rows, inputs),
        w: cleanWeight === 1 ? null : lossWeights(changed, maps.valid, cleanWeight),
      };
    },
  };
}
