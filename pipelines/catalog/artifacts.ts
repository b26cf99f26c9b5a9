/**
 * The artifact types stages exchange (each with its storage format), and the shapes of stage
 * inputs: one artifact, one of several types, or a table of them.
 *
 * @module
 */

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
