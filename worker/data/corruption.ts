/**
 * Corruption of standardised 2-D maps (SPECTRAL.md §7.4): a random rectangle of
 * mask_min…mask_max of the map (or, for the masks `odd_m` and `above_degree`, the fixed cells the
 * recipe lists in `hidden`, chosen by the coefficients' indices: spectral/coefficient_masks.ts)
 * set to 0 (the standardised mean) and flagged in a "masked" channel, plus N(0, σ²) noise on a random noise_fraction of the other valid cells. Trainers
 * redraw it every epoch from the recipe ({@link epochRng}); a fixed corruption of the test split
 * uses {@link testRng}.
 * @module
 */
import { Rng } from "../lib/mod.ts";

/** How maps are corrupted (the `corruption` artifact of `maps.corrupt@1`). */
export interface Recipe {
  /** Smallest masked rectangle, as a fraction of the map. */
  mask_min: number;
  /** Largest masked rectangle; 0 = no masks. */
  mask_max: number;
  /** What is masked; absent = `rectangle` (the recipes written before masks had kinds). */
  mask?: "rectangle" | "odd_m" | "above_degree";
  /** `above_degree`: the highest degree left visible; absent = 0. */
  degree?: number;
  /** `odd_m` and `above_degree`: the cells hidden in every map, in place of a rectangle. */
  hidden?: number[];
  /** Noise std in standardised units. */
  sigma: number;
  /** Share of the valid cells outside the mask that get noise; 0 = none. */
  noise_fraction: number;
  seed: number;
}

/** Network input channels per cell: corrupted value, validity, masked flag. */
export const INPUT_CHANNELS = 3;

/** Corrupted maps: network inputs [n, H, W, 3] and which cells were changed [n, H·W]. */
export interface Corrupted {
  inputs: Float32Array;
  changed: Float32Array;
}

/** Corrupts the maps `rows` of `values` ([N, H, W]) with `rng`. */
export function corruptMaps(
  values: Float32Array,
  valid: Float32Array,
  height: number,
  width: number,
  rows: readonly number[],
  recipe: Recipe,
  rng: Rng,
): Corrupted {
  const cells = height * width;
  const inputs = new Float32Array(rows.length * cells * INPUT_CHANNELS);
  const changed = new Float32Array(rows.length * cells);
  const masked = new Uint8Array(cells);
  rows.forEach((r, i) => {
    masked.fill(0);
    if (recipe.hidden) {
      for (const c of recipe.hidden) masked[c] = 1;
    } else if (recipe.mask_max > 0) {
      const area = rng.uniform(recipe.mask_min, recipe.mask_max) * cells;
      const aspect = Math.exp(rng.uniform(-0.7, 0.7));
      const h = Math.max(1, Math.min(height, Math.round(Math.sqrt(area * aspect))));
      const w = Math.max(1, Math.min(width, Math.round(area / h)));
      const top = rng.int(height - h + 1);
      const left = rng.int(width - w + 1);
      for (let y = top; y < top + h; y++) masked.fill(1, y * width + left, y * width + left + w);
    }
    for (let k = 0; k < cells; k++) {
      const o = (i * cells + k) * INPUT_CHANNELS;
      let v = values[r * cells + k];
      if (valid[k] === 0) {
        v = 0;
      } else if (masked[k]) {
        v = 0;
        inputs[o + 2] = 1;
        changed[i * cells + k] = 1;
      } else if (recipe.noise_fraction > 0 && rng.uniform() < recipe.noise_fraction) {
        v += recipe.sigma * rng.normal();
        changed[i * cells + k] = 1;
      }
      inputs[o] = v;
      inputs[o + 1] = valid[k];
    }
  });
  return { inputs, changed };
}

/** The RNG of the corruption drawn for training epoch `epoch` (0-based). */
export function epochRng(recipe: Recipe, epoch: number): Rng {
  return new Rng((recipe.seed * 2_654_435_761 + epoch * 40_503 + 12_345) >>> 0);
}

/** The RNG of the fixed corruption of the test split. */
export function testRng(recipe: Recipe): Rng {
  return new Rng((recipe.seed * 97 + 7_777_777) >>> 0);
}
