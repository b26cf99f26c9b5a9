/**
 * The map denoiser (paper Sec. 5.4): cGML or a baseline on the backbone, corrupted standardised
 * spectral map in, clean map (or the residual) out. Training draws the corruption anew every
 * epoch from the recipe; the model's card records the maps it was trained on (basis, order,
 * layout size, standardisation), so a stored model can restore maps of new shapes.
 * @module
 */
import type { CgmlModel } from "../cgml/mod.ts";
import {
  corruptMaps,
  epochRng,
  gatherRows,
  INPUT_CHANNELS,
  type PairSource,
  type Recipe,
} from "../data/mod.ts";
import type { LossCurves } from "../eval/mod.ts";
import type { Gpu } from "../gpu/mod.ts";
import { type MapSet, splitRows } from "../spectral/mod.ts";
import { trainBaselineLoop } from "./baseline_loop.ts";
import {
  backboneConfig,
  type BackboneKind,
  type BackboneParams,
  type MapTarget,
} from "./backbone_config.ts";
import { BackboneModel, type MapInput } from "./backbone_model.ts";
import { type CgmlParams, cgmlSettings } from "./cgml_settings.ts";
import { fitPairs } from "./fit.ts";
import type { TrainHooks } from "./hooks.ts";

/** Params of a map denoiser (`cgml.train@1`, `baseline.train@1`). */
export interface MapDenoiserParams extends BackboneParams {
  model: BackboneKind;
  target: MapTarget;
  /** Loss weight of the valid cells left uncorrupted (1 = plain L1 over the whole map). */
  clean_weight: number;
  /** cGML's settings (used when `model` is "cgml"). */
  cgml?: CgmlParams;
  /** cVAE only. */
  kl_weight?: number;
  /** Context Encoder only. */
  adv_weight?: number;
}

/** Trains a map denoiser on the train split of `maps`; returns its artifact and loss curves. */
export function trainMapDenoiser(
  gpu: Gpu,
  maps: MapSet,
  recipe: Recipe,
  p: MapDenoiserParams,
  hooks: TrainHooks,
): Promise<{ model: Uint8Array; curves: LossCurves }> {
  const { height, width } = maps.meta;
  const extra = p.model === "cgml" && p.cgml ? cgmlSettings(p.cgml) : {};
  const config = backboneConfig(p.model, height, width, p, extra);
  const source = mapPairSource(maps, recipe, p.target, p.clean_weight);
  const input = mapInputOf(maps);
  const encode = (m: CgmlModel) =>
    BackboneModel.encode(m, { kind: p.model, target: p.target, input });
  if (p.model === "cgml" || p.model === "l1") return fitPairs(gpu, config, source, hooks, encode);
  return trainBaselineLoop(
    gpu,
    config,
    source,
    {
      ...p,
      model: p.model,
      kl_weight: p.kl_weight ?? 1,
      adv_weight: p.adv_weight ?? 0.001,
    },
    hooks,
    encode,
  );
}

/** The description of the maps a denoiser reads, from the set it is trained on. */
export function mapInputOf(maps: MapSet): MapInput {
  const { basis, order, height, width, clip } = maps.meta;
  return {
    kind: "maps",
    basis,
    order,
    height,
    width,
    clip,
    mean: Array.from(maps.mean),
    std: Array.from(maps.std),
    points: maps.meta.points,
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

/** Network inputs of clean maps (no corruption): value, validity, masked = 0. */
export function cleanInputs(
  values: Float32Array,
  valid: Float32Array,
  rows: readonly number[],
): Float32Array {
  const cells = valid.length;
  const out = new Float32Array(rows.length * cells * INPUT_CHANNELS);
  rows.forEach((r, i) => {
    for (let k = 0; k < cells; k++) {
      out[(i * cells + k) * INPUT_CHANNELS] = values[r * cells + k];
      out[(i * cells + k) * INPUT_CHANNELS + 1] = valid[k];
    }
  });
  return out;
}

/**
 * Training targets of corrupted `inputs` ([n, cells, 3]) of the maps `rows`: the clean values,
 * or clean − corrupted value (0 on padding) for a residual model.
 */
export function targetsOf(
  target: MapTarget,
  values: Float32Array,
  cells: number,
  rows: readonly number[],
  inputs: Float32Array,
): Float32Array {
  const out = gatherRows(values, cells, rows);
  if (target === "residual") {
    for (let k = 0; k < out.length; k++) out[k] -= inputs[k * INPUT_CHANNELS];
  }
  return out;
}

/**
 * Per-cell loss weights of corrupted maps ([n, cells] from `changed`): 1 on corrupted cells,
 * `cleanWeight` on the other valid cells, 0 on padding; written into `out`.
 */
export function lossWeights(
  changed: Float32Array,
  valid: Float32Array,
  cleanWeight: number,
  out: Float32Array = new Float32Array(changed.length),
): Float32Array {
  const cells = valid.length;
  for (let k = 0; k < changed.length; k++) {
    out[k] = changed[k] !== 0 ? 1 : valid[k % cells] !== 0 ? cleanWeight : 0;
  }
  return out;
}
