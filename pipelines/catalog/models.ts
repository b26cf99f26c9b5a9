/**
 * The catalog's stage types around published models (`models/<name>/<version>/` in the bucket):
 * publishing a trained model, loading a published one as an input, inference by Eq. 4 as a job,
 * and features of a published model's H on another dataset (the transfer protocol). Registered
 * in `CATALOG` by `mod.ts`; the worker implements them in `worker/stages/model_*.ts`.
 *
 * @module
 */

import { z } from "zod";
import { closed } from "../schema.ts";
import { count } from "./common_params.ts";
import { defineStage } from "./stage_type.ts";

/** A model name, as `infra/models` checks it (repeated here: pipelines import infra types only). */
export const MODEL_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** `<name>`, `<name>@<version>` or `<name>@latest`. */
export const MODEL_REF_PATTERN =
  /^(?!\.{1,2}(@|$))[a-z0-9][a-z0-9._-]{0,63}(@([1-9][0-9]{0,8}|latest))?$/;

const pool = ["flatten", "mean", "pyramid"] as const;

/** `model.publish@1`: the next immutable version of `models/<name>/`, or nothing. */
export const modelPublish = defineStage({
  name: "model.publish",
  version: 1,
  summary:
    "Publishes a trained model with its probe and metrics as models/<name>/<version>/ (empty name: nothing)",
  params: closed({
    name: z.string().regex(
      new RegExp(`^$|${MODEL_NAME_PATTERN.source}`),
      "must be empty or a model name: 1 to 64 of a-z 0-9 . _ - starting with a letter or digit",
    ).default("").describe("Model name; empty = publish nothing"),
    k: count(8, 1, 1024).describe("Inference default: z₀ draws per input"),
    steps: count(20, 0, 1000).describe("Inference default: Eq. 4 steps T"),
    momentum: z.boolean().default(true).describe("Inference default: Eq. 4 with ρ"),
    pool: z.enum(pool).default("flatten").describe(
      "How H's features were pooled for the probe (features.extract's pool)",
    ),
  }),
  inputs: {
    model: {
      type: ["map-model", "toy-model", "image-model"],
      doc: "The trained model (published as model.safetensors + config.json)",
    },
    probe: { type: "linear-probe", optional: true, doc: "The linear probe on H's features" },
    metrics: {
      type: ["denoise-metrics", "toy-metrics", "image-metrics"],
      optional: true,
      doc: "The model's evaluation (metrics.json: evaluation)",
    },
    probe_metrics: {
      type: "classifier-metrics",
      optional: true,
      doc: "The probe's accuracy and confusion matrix (metrics.json: probe)",
    },
  },
  outputs: { release: "model-release" },
  uncached: "publishes to models/ (nothing when the same files are published already)",
});

/** `model.load@1`: a published model as an artifact, for stages downstream. */
export const modelLoad = defineStage({
  name: "model.load",
  version: 1,
  summary: "A published model version (config.json, weights, probe) as an input of later stages",
  params: closed({
    model: z.string().regex(
      new RegExp(`^$|${MODEL_REF_PATTERN.source}`),
      "must name a published model as <name>, <name>@<version> or <name>@latest",
    ).default("").describe(
      "<name>[@<version>|@latest]; the version is resolved when the stage runs (empty: an " +
        "error when it runs, so that a pipeline may leave its model param to be set)",
    ),
  }),
  inputs: {},
  outputs: { model: "published-model" },
  uncached: "resolves a published model (latest moves when a version is published)",
});

/** `model.infer@1`: Eq. 4 inference of a published model on a dataset or inline inputs. */
export const modelInfer = defineStage({
  name: "model.infer",
  version: 1,
  summary:
    "k draws per input of a published model (Eq. 4), clustered into modes; predictions.csv, samples, modes, a report",
  params: closed({
    dataset: z.string().max(2048).default("").describe(
      "s3://<bucket>/datasets/<name>/…, a local folder or file; empty = inputs",
    ),
    inputs: z.array(z.unknown()).max(100_000).default([]).describe(
      "Inline inputs: toy rows [x…]; shapes {name, text} (a mesh or point file's text) or " +
        "{name, points: [[x, y, z]…]}; images {name, base64} (PNG or JPEG)",
    ),
    split: z.string().max(64).default("test").describe(
      "Objects under a <split>/ folder (ModelNet layout); empty = all. A dataset without split " +
        "folders is read whole",
    ),
    k: count(8, 1, 1024).describe("z₀ draws per input"),
    steps: z.int().min(-1).max(1000).default(-1).describe(
      "Eq. 4 steps T; -1 = the model's published default",
    ),
    seed: z.int().min(0).default(0),
    show: count(4, 0, 64).describe("Inputs whose draws are reconstructed in the report"),
    tolerance: z.number().min(0).default(0).describe(
      "RMS distance within which two draws of an input are one mode; 0 = the model's default",
    ),
  }),
  inputs: { model: { type: "published-model", doc: "The model (model.load)" } },
  outputs: {
    predictions: "predictions",
    samples: "inference-samples",
    modes: "inference-modes",
    report: "html-report",
    reconstructions: "file-folder",
  },
  uncached: "reads its inputs when it runs (a bucket prefix, a folder or a file)",
  check(p) {
    if (p.dataset !== "" && p.inputs.length > 0) {
      return 'Cannot infer: give "dataset" or "inputs", not both';
    }
    return undefined;
  },
});

/** `model.features@1`: features of a published map model's H on the shapes of another dataset. */
export const modelFeatures = defineStage({
  name: "model.features",
  version: 1,
  summary:
    "Features of a published map model's H on a shape set (maps with the model's basis, order and standardisation)",
  params: closed({
    pool: z.enum(["published", ...pool]).default("published").describe(
      "How H's features are pooled; published = as the model's probe was trained",
    ),
  }),
  inputs: {
    model: { type: "published-model", doc: "A published map model (model.load)" },
    shapes: { type: "shape-set", doc: "Point clouds with split and class" },
  },
  outputs: { features: "feature-table" },
});
