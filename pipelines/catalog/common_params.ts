/**
 * Param schemas shared by the stage families: the seed, numbers with defaults, the spectral
 * normalisation and latent choices, the param groups of cGML, the conv backbone and training,
 * and `added` for params that joined a stage type after it shipped.
 *
 * @module
 */

import { z } from "zod";

export const seed = z.int().min(0).default(0);

/**
 * A param added to a stage type after it shipped: while it has its default `value` it is left
 * out of the resolved params, so every cache key computed before it existed still holds (the
 * implementation reads an absent value as `value`); other values are kept and join the key.
 */
export function added<T extends z.ZodType>(schema: T, value: z.output<T>) {
  return schema.optional().transform((v) => (v === value ? undefined : v));
}
export const positive = (v: number) => z.number().positive().default(v);
export const fraction = (v: number) => z.number().min(0).max(1).default(v);
export const count = (v: number, min: number, max: number) => z.int().min(min).max(max).default(v);
export const networks = (v: ("h" | "g" | "z")[]) =>
  z.array(z.enum(["h", "g", "z"])).default(v).describe("Networks with spectral normalisation");
export const latents = (v: "persistent" | "fresh") =>
  z.enum(["persistent", "fresh"]).default(v)
    .describe("Per-sample latents kept across epochs, or drawn fresh per batch");

/** cGML hyper-parameters (README "cGML"; `worker/cgml/config.ts`), shared by the map and toy trainers. */
export const cgml = {
  lr_z: positive(1e-3).describe("Learning rate of Z"),
  latent_dim: count(8, 1, 256).describe("d: z lies on the unit sphere in d dimensions"),
  inner_steps: count(5, 1, 100).describe("l: latent steps per minibatch"),
  beta: positive(1.0).describe("β: step size of the z update"),
  alpha: positive(1.0).describe("α: scale of the momentum target ρ"),
  hg_once: z.boolean().default(false).describe("Update H and G once after the l inner steps"),
  output_scale: positive(10).describe("Lipschitz bound of spectrally normalised networks"),
  lr_schedule: added(z.enum(["constant", "cosine"]), "constant").describe(
    "Learning rates over the epochs (cGML and the L1 regressor): constant, or cosine decay towards 0",
  ),
};

export const backbone = {
  width: count(32, 4, 512),
  depth: count(3, 1, 6),
  lift: count(0, 0, 64).describe(
    "Channels of a dense input lift (linear on the whole flattened map to a map of the same height and width, stacked on the input) ahead of the conv encoder; 0 = none",
  ),
};

export const training = {
  epochs: count(30, 1, 100_000),
  batch: count(32, 1, 4096),
  lr: positive(1e-3),
  seed,
};
