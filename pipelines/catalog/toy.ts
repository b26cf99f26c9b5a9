/**
 * The toy stage types (the paper's multimodal toy experiment): data, training, evaluation.
 *
 * @module
 */

import { z } from "zod";
import { closed } from "../schema.ts";
import { cgml, count, latents, networks, positive, seed, training } from "./common_params.ts";
import { defineStage } from "./stage_type.ts";

/** `toy.data@1`: the paper's ±4(x, x², x³) curves or a user CSV of x… and y… columns. */
export const toyData = defineStage({
  name: "toy.data",
  version: 1,
  summary:
    "Toy multimodal data: built-in ± curves (drawn fresh every epoch) or a CSV (a fixed set)",
  params: closed({
    csv: z.string().default("").describe(
      "CSV with x… and y… columns (optional mode); empty = ± curves",
    ),
    pairs: count(8000, 1, 10_000_000).describe(
      "Pairs per epoch (built-in curves) or most rows kept (CSV)",
    ),
    truth: count(2000, 1, 1_000_000).describe("Ground-truth sample size for the metrics"),
    seed,
  }),
  inputs: {},
  outputs: { data: "toy-data" },
  reads: ["csv"],
});

/** `toy.train@1`: cGML with MLPs, or the L1 regressor, on toy data. */
export const toyTrain = defineStage({
  name: "toy.train",
  version: 1,
  summary: "Trains cGML (3-layer MLPs) or the L1 regressor on toy data",
  params: closed({
    model: z.enum(["cgml", "l1"]).default("cgml"),
    ...training,
    batch: count(128, 1, 65_536),
    width: count(64, 4, 4096).describe("Hidden width of the 3-layer MLPs"),
    hidden: count(32, 1, 4096).describe("Size of h = H(x)"),
    ...cgml,
    latents: latents("fresh"),
    spectral_norm: networks([]),
  }),
  inputs: { data: { type: "toy-data", doc: "Training data" } },
  outputs: { model: "toy-model", curves: "loss-curves" },
});

/** `toy.evaluate@1`: cGML, cGML w/o ρ, no-move and L1 against the ground truth. */
export const toyEvaluate = defineStage({
  name: "toy.evaluate",
  version: 1,
  summary:
    "Chamfer, coverage per mode, phantom fraction and hit rate for four predictors; a figure",
  params: closed({
    k: count(8, 1, 64),
    steps: count(20, 0, 1000),
    tolerance: positive(0.5).describe("Distance τ within which a point counts for a mode"),
    inputs: count(500, 1, 100_000).describe("Evaluation inputs x"),
    seed,
  }),
  inputs: {
    data: { type: "toy-data", doc: "Data with its ground-truth sample" },
    cgml: { type: "toy-model", doc: "cGML model (gives cGML, w/o ρ and no-move)" },
    l1: { type: "toy-model", doc: "L1 regressor" },
  },
  outputs: { metrics: "toy-metrics", figure: "figure" },
});
