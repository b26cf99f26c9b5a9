/**
 * The shape and map stage types (the ModelNet experiments): shape datasets, spectral maps,
 * corruption, the cGML and baseline denoisers, their evaluation, features, linear probes and
 * the map report.
 *
 * @module
 */

import { z } from "zod";
import { closed } from "../schema.ts";
import type { InputSpec } from "./artifacts.ts";
import {
  added,
  backbone,
  cgml,
  count,
  fraction,
  latents,
  networks,
  positive,
  seed,
  training,
} from "./common_params.ts";
import { defineStage } from "./stage_type.ts";

/** `dataset.synthetic_shapes@1`: writes a ModelNet-layout folder of parametric shapes. */
export const syntheticShapes = defineStage({
  name: "dataset.synthetic_shapes",
  version: 1,
  summary:
    "Parametric shapes (≥ 4 multi-part classes) written as OFF meshes in the ModelNet layout",
  params: closed({
    classes: count(10, 2, 40).describe("How many of the generator's classes to write"),
    train_per_class: count(80, 1, 10_000),
    test_per_class: count(20, 1, 10_000),
    noise: z.number().min(0).max(0.5).default(0.01).describe(
      "Vertex jitter, relative to the shape size",
    ),
    anisotropy: z.number().min(0).max(1).default(0.03).describe(
      "Std of the random log scale per axis",
    ),
    drop_parts: fraction(0.03).describe("Probability that each part after the first is missing"),
    seed,
  }),
  inputs: {},
  outputs: { meshes: "mesh-folder" },
});

/** `dataset.modelnet@1`: reads `<root>/<class>/{train,test}/*.off` and samples point clouds. */
export const modelnet = defineStage({
  name: "dataset.modelnet",
  version: 1,
  summary:
    "Reads a ModelNet-layout folder or bucket dataset (ModelNet10/40 or synthetic) and samples point clouds",
  params: closed({
    root: z.string().default("").describe(
      "ModelNet-layout folder, or s3://<bucket>/datasets/<name>/ in the service's bucket; empty = the meshes input",
    ),
    classes: z.array(z.string()).default([]).describe("Classes to read; empty = all"),
    max_per_class: count(0, 0, 100_000).describe("Train shapes kept per class; 0 = all"),
    points: count(2048, 64, 100_000).describe("Points sampled per mesh (area-weighted)"),
    seed,
  }),
  inputs: {
    meshes: { type: "mesh-folder", optional: true, doc: "Read when root is empty" },
  },
  outputs: { shapes: "shape-set", manifest: "dataset-manifest" },
  reads: ["root"],
  check(p, inputs) {
    return p.root === "" && !inputs.has("meshes")
      ? 'Cannot read a dataset: set "root" or pass "meshes"'
      : undefined;
  },
});

/** `spectral.maps@1`: 3-D Zernike or spherical-harmonic coefficients laid out as 2-D maps. */
export const spectralMaps = defineStage({
  name: "spectral.maps",
  version: 1,
  summary: "Zernike or SH coefficients as 2-D maps, standardised per cell on the train split",
  params: closed({
    basis: z.enum(["zernike", "sh"]).default("zernike"),
    order: count(16, 2, 63).describe("Zernike order N or SH degree L"),
    clip: positive(5).describe("Standardised values are clipped to ±clip"),
  }),
  inputs: { shapes: { type: "shape-set", doc: "Point clouds to transform" } },
  outputs: { maps: "map-set" },
  check(p) {
    return p.basis === "zernike" && p.order > 28
      ? `Cannot use Zernike order ${p.order}: at most 28`
      : undefined;
  },
});

/** `maps.corrupt@1`: random rectangle masks and Gaussian noise on a fraction of cells. */
export const mapsCorrupt = defineStage({
  name: "maps.corrupt",
  version: 1,
  summary: "Corruption recipe (rectangle masks, Gaussian noise) and a fixed corrupted test split",
  params: closed({
    mask_min: fraction(0.1).describe("Smallest masked rectangle, as a fraction of the map"),
    mask_max: fraction(0.3).describe("Largest masked rectangle; 0 = no masks"),
    mask: added(z.enum(["rectangle", "odd_m", "above_degree"]), "rectangle").describe(
      "What is masked: a random rectangle of mask_min…mask_max (default), every coefficient " +
        "of odd azimuthal order m (a shape and its copy turned half about z then give the " +
        "same input: two modes), or every coefficient of degree above `degree`",
    ),
    degree: added(z.int().min(0).max(63), 0).describe(
      "above_degree: the highest degree left visible (default 0)",
    ),
    sigma: z.number().min(0).default(0.5).describe("Noise std in standardised units"),
    noise_fraction: fraction(0.25).describe("Share of valid cells that get noise; 0 = none"),
    seed,
  }),
  inputs: { maps: { type: "map-set", doc: "Clean maps" } },
  outputs: { recipe: "corruption", test: "corrupted-maps" },
  check(p) {
    return p.mask_min > p.mask_max
      ? `Cannot use mask_min ${p.mask_min}: it is above mask_max ${p.mask_max}`
      : undefined;
  },
});

const mapTarget = z.enum(["clean", "residual"]).default("clean").describe(
  "Network output: clean − corrupted value (added back to the input) or the clean map",
);

const cleanWeight = fraction(1).describe(
  "Loss weight of the valid cells left uncorrupted, relative to the corrupted ones (padding gets 0); 1 = plain L1 over the whole map",
);

const mapTrainingInputs = {
  maps: { type: "map-set", doc: "Clean maps (targets)" },
  corruption: { type: "corruption", doc: "Recipe for the corrupted inputs, redrawn every epoch" },
} as const satisfies Record<string, InputSpec>;

/** `cgml.train@1`: cGML (Algorithm 1) on maps, corrupted map in, clean map out. */
export const cgmlTrain = defineStage({
  name: "cgml.train",
  version: 1,
  summary: "Trains cGML (H, G, Z) on corrupted → clean maps",
  params: closed({
    ...training,
    ...backbone,
    ...cgml,
    latents: latents("persistent"),
    spectral_norm: networks(["g"]),
    target: mapTarget,
    clean_weight: cleanWeight,
  }),
  inputs: mapTrainingInputs,
  outputs: { model: "map-model", curves: "loss-curves" },
});

/** `baseline.train@1`: the L1 regressor, a conditional VAE or a Context Encoder on the same backbone. */
export const baselineTrain = defineStage({
  name: "baseline.train",
  version: 1,
  summary: "Trains a baseline denoiser (l1, cvae or ce) on the cGML backbone",
  params: closed({
    model: z.enum(["l1", "cvae", "ce"]),
    ...training,
    ...backbone,
    latent_dim: count(8, 1, 256).describe("cVAE only: latent size"),
    kl_weight: positive(1.0).describe("cVAE only"),
    adv_weight: positive(0.001).describe("Context Encoder only: adversarial loss weight"),
    target: mapTarget,
    clean_weight: cleanWeight,
  }),
  inputs: mapTrainingInputs,
  outputs: { model: "map-model", curves: "loss-curves" },
});

/** `eval.denoise@1`: PSNR, L1, retrieval mAP and k-mode samples. */
export const evalDenoise = defineStage({
  name: "eval.denoise",
  version: 1,
  summary: "PSNR and L1 on corrupted cells, retrieval mAP against clean train maps, k-mode samples",
  params: closed({
    k: count(8, 1, 64).describe("z₀ draws per input (modes)"),
    steps: count(20, 0, 1000).describe("Latent steps T of Eq. 4 (cGML only)"),
    momentum: z.boolean().default(true).describe("Use ρ (false = the w/o ρ ablation)"),
    samples: count(6, 0, 64).describe("Test inputs whose k-mode samples are kept"),
    restoration: added(z.boolean(), false).describe(
      "Also measure the modes the k draws form, the reconstruction mAP, where the draws land " +
        "between a map and its half-turned copy (mask odd_m) and the nearest-neighbour bound " +
        "of the data (default false)",
    ),
    seed,
  }),
  inputs: {
    model: { type: "map-model", doc: "Denoiser to evaluate" },
    maps: { type: "map-set", doc: "Clean maps (test targets, train retrieval database)" },
    corrupted: { type: "corrupted-maps", doc: "Corrupted test maps" },
  },
  outputs: { metrics: "denoise-metrics", samples: "map-samples" },
});

/** `features.extract@1`: bottleneck of H on clean maps, or raw rotation invariants, as CSV. */
export const featuresExtract = defineStage({
  name: "features.extract",
  version: 1,
  summary:
    "Features per shape as CSV: the bottleneck of H on clean maps, or raw rotation invariants",
  params: closed({
    source: z.enum(["bottleneck", "invariants"]).default("bottleneck")
      .describe("Bottleneck of the model's H, or the rotation invariants of the maps"),
    pool: z.enum(["flatten", "mean", "pyramid"]).default("flatten").describe(
      "How H's features are pooled: the deepest level (bottleneck) flattened or averaged over " +
        "space, or pyramid = every encoder level average-pooled to the bottleneck grid, concatenated",
    ),
  }),
  inputs: {
    maps: { type: "map-set", doc: "Clean maps" },
    model: { type: "map-model", optional: true, doc: "Needed for source: bottleneck" },
  },
  outputs: { features: "feature-table" },
  check(p, inputs) {
    if (p.source === "bottleneck" && !inputs.has("model")) {
      return 'Cannot extract bottleneck features: pass "model"';
    }
    if (p.source === "invariants" && inputs.has("model")) {
      return 'Cannot use "model" with source: invariants';
    }
    return undefined;
  },
});

/** `classifier.linear@1`: one linear layer + softmax on train features, evaluated on test. */
export const classifierLinear = defineStage({
  name: "classifier.linear",
  version: 1,
  summary:
    "Linear softmax classifier on train features; accuracy, per-class accuracy, confusion on test",
  params: closed({
    epochs: count(200, 1, 100_000),
    batch: count(64, 0, 65_536).describe("Rows per Adam step (0 = all train rows: full batch)"),
    lr: positive(0.01),
    weight_decay: z.number().min(0).default(1e-4)
      .describe("Decoupled (AdamW) weight decay per step, on weights and bias"),
    l2: z.array(z.number().min(0)).min(1).default([0]).describe(
      "L2 penalty λ/2·‖W‖² on the weights (not the bias), added to the mean cross-entropy; " +
        "several values: the one with the best accuracy on held-out train rows (folds, rounds; " +
        "ties: the largest) is used for the final fit on all train rows",
    ),
    folds: count(5, 2, 100)
      .describe("Stratified folds of the train rows for choosing l2 when it lists several values"),
    rounds: count(0, 0, 100).describe(
      "Folds held out in turn to choose l2: 0 = all (k-fold cross-validation), 1 = a single " +
        "validation split of 1/folds of the train rows",
    ),
    standardize: z.boolean().default(true).describe("Z-score features with train statistics"),
    seed,
  }),
  inputs: { features: { type: "feature-table", doc: "Features with split and label columns" } },
  outputs: { metrics: "classifier-metrics" },
});

/**
 * `classifier.linear@2`: `classifier.linear@1` that also outputs the trained probe (layer and
 * card), so a pipeline can publish it with its model.
 */
export const classifierLinearProbe = defineStage({
  ...classifierLinear,
  version: 2,
  summary: classifierLinear.summary + "; outputs the probe",
  outputs: { metrics: "classifier-metrics", probe: "linear-probe" },
});

/** `report.html@1`: one self-contained HTML page comparing every model. */
export const reportHtml = defineStage({
  name: "report.html",
  version: 1,
  summary:
    "HTML report (loss curves, model table, confusion matrix, maps, reconstructions) and results.json",
  params: closed({
    title: z.string().default("cGML report"),
    reconstructions: count(3, 0, 16).describe("Sample maps shown as 3-D reconstructions"),
    notes: z.string().default("").describe("Text shown as a Notes section (paragraphs)"),
  }),
  inputs: {
    maps: {
      type: "map-set",
      optional: true,
      doc: "Clean maps (layout and statistics for reconstructions)",
    },
    models: {
      table: {
        curves: { type: "loss-curves", optional: true },
        denoise: { type: "denoise-metrics", optional: true },
        samples: { type: "map-samples", optional: true },
        linear: { type: "classifier-metrics", optional: true },
      },
      doc: "One row per model; the row name is the model's name in the report",
    },
  },
  outputs: { html: "html-report", results: "results" },
});
