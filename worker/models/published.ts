/**
 * Published models: what `models/<name>/<version>/` holds and how it is rebuilt.
 *
 * `model.safetensors` is the trained model's artifact as the training stage wrote it (weights,
 * with its card in the metadata); `config.json` ({@link PublishedConfig}) states everything that
 * rebuilds and runs it without reading that metadata: the architecture (`network`, the exact
 * `CgmlConfig` the networks are built from), what the inputs are (a map model: basis, order,
 * layout, size, clip, points per shape and the per-cell standardisation statistics), the latent
 * dimension, the inference defaults (k, T, ρ on or off) and the probe (`probe.safetensors`, its
 * classes, feature size, standardisation and the pooling of H's features). There is no ρ scale
 * to publish: ρ is Z's output at every step, trained on the target α·‖z_{t+1} − z_t‖ (α is in
 * `network.alpha`); inference takes it as it comes.
 * @module
 */
import { z } from "zod";
import { MODEL_FILES } from "../../infra/mod.ts";
import type { CgmlConfig } from "../cgml/mod.ts";
import type { Gpu } from "../gpu/mod.ts";
import { mapLayout, type MapSet } from "../spectral/mod.ts";
import type { MapTarget } from "./backbone_config.ts";
import {
  type BackboneCard,
  backboneCardOf,
  BackboneModel,
  type BottleneckPool,
  type ImageInput,
  type MapInput,
} from "./backbone_model.ts";
import { LinearProbe, type ProbeCard, readCard as probeCardOf } from "./linear_probe.ts";
import { toyCardOf, ToyModel } from "./toy_model.ts";

/** What a published model does: restore spectral maps, complete or colour images, toy rows. */
export type PublishedKind = "map" | "toy" | "image";

/** A map model's inputs, with the layout's name and the points sampled per shape. */
export interface PublishedMapInput extends MapInput {
  layout: "zernike-raster" | "sh-folded";
  points: number;
}

/** A toy model's inputs and outputs: the CSV columns it was trained on. */
export interface RowsInput {
  kind: "rows";
  x: string[];
  y: string[];
}

/** Inference defaults of Eq. 4. */
export interface InferenceDefaults {
  k: number;
  steps: number;
  momentum: boolean;
}

/** `config.json` of a published version. */
export interface PublishedConfig {
  format: "cgml-model";
  format_version: 1;
  kind: PublishedKind;
  /** cGML or the baseline on the same networks. */
  method: string;
  latent_dim: number;
  /** The architecture: the configuration the networks are built from. */
  network: CgmlConfig;
  /** Backbone models: clean output or residual. */
  target?: MapTarget;
  input: PublishedMapInput | ImageInput | RowsInput;
  inference: InferenceDefaults;
  /** How H's features are pooled (map models): the probe was trained on these. */
  features?: { pool: BottleneckPool };
  probe?: ProbeCard & { file: string };
  /** The files of the version by role. */
  files: Record<string, string>;
}

const Config = z.object({
  format: z.literal("cgml-model"),
  format_version: z.literal(1),
  kind: z.enum(["map", "toy", "image"]),
  method: z.string(),
  latent_dim: z.number(),
  network: z.record(z.string(), z.unknown()),
  input: z.object({ kind: z.enum(["maps", "images", "rows"]) }).passthrough(),
  inference: z.object({ k: z.number(), steps: z.number(), momentum: z.boolean() }),
}).passthrough();

/** What {@link publishedFiles} bundles. */
export interface PublishParts {
  /** A `map-model`, `image-model` or `toy-model` artifact. */
  model: Uint8Array;
  /** A `linear-probe` artifact (map models only). */
  probe?: Uint8Array;
  /** Written into `metrics.json` as `evaluation` and `probe`. */
  metrics?: unknown;
  probeMetrics?: unknown;
  inference: InferenceDefaults;
  pool: BottleneckPool;
}

/** The files of a version to publish, and its config. */
export function publishedFiles(
  parts: PublishParts,
): { files: Map<string, Uint8Array>; config: PublishedConfig } {
  const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 2));
  const config = configOf(parts);
  const files = new Map<string, Uint8Array>([
    [MODEL_FILES.config, json(config)],
    [MODEL_FILES.model, parts.model],
    [
      MODEL_FILES.metrics,
      json({ evaluation: parts.metrics ?? null, probe: parts.probeMetrics ?? null }),
    ],
  ]);
  if (parts.probe !== undefined) files.set(MODEL_FILES.probe, parts.probe);
  return { files, config };
}

function configOf(parts: PublishParts): PublishedConfig {
  const files: Record<string, string> = {
    model: MODEL_FILES.model,
    metrics: MODEL_FILES.metrics,
  };
  const backbone = backboneCardOf(parts.model);
  if (backbone !== undefined) {
    if (backbone.input === undefined) {
      throw new Error(
        "Cannot publish the model: its artifact does not record what its inputs are " +
          "(written before inputs were recorded); train it again",
      );
    }
    const input = backbone.input.kind === "maps"
      ? {
        ...backbone.input,
        layout: backbone.input.basis === "zernike"
          ? "zernike-raster" as const
          : "sh-folded" as const,
        points: backbone.input.points ?? 2048,
      }
      : backbone.input;
    let probe: PublishedConfig["probe"];
    if (parts.probe !== undefined) {
      if (input.kind !== "maps") throw new Error("Cannot publish a probe with an image model");
      probe = { ...probeCardOf(parts.probe), file: MODEL_FILES.probe };
      files.probe = MODEL_FILES.probe;
    }
    return {
      format: "cgml-model",
      format_version: 1,
      kind: input.kind === "maps" ? "map" : "image",
      method: backbone.kind,
      latent_dim: backbone.config.latentDim,
      network: backbone.config,
      target: backbone.target ?? "clean",
      input,
      inference: parts.inference,
      ...(input.kind === "maps" ? { features: { pool: parts.pool } } : {}),
      ...(probe ? { probe } : {}),
      files,
    };
  }
  const toy = toyCardOf(parts.model);
  if (toy === undefined) {
    throw new Error("Cannot publish the model: the artifact is not a map, image or toy model");
  }
  if (parts.probe !== undefined) throw new Error("Cannot publish a probe with a toy model");
  const x = toy.columns?.x ?? Array.from({ length: toy.config.inDim }, (_, i) => `x${i}`);
  const y = toy.columns?.y ?? Array.from({ length: toy.config.outDim }, (_, i) => `y${i}`);
  return {
    format: "cgml-model",
    format_version: 1,
    kind: "toy",
    method: toy.config.method,
    latent_dim: toy.config.latentDim,
    network: toy.config,
    input: { kind: "rows", x, y },
    inference: parts.inference,
    files,
  };
}

/** Parses `config.json`; throws "Cannot read …" naming the first wrong field. */
export function parsePublishedConfig(bytes: Uint8Array, where = "config.json"): PublishedConfig {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new Error(`Cannot read ${where}: ${(e as Error).message}`);
  }
  const parsed = Config.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Cannot read ${where}: ${issue.path.join(".") || "body"}: ${issue.message}`);
  }
  return parsed.data as unknown as PublishedConfig;
}

/** A published model on the device: its config and its networks (and probe). */
export class PublishedModel {
  private constructor(
    readonly config: PublishedConfig,
    readonly backbone: BackboneModel | null,
    readonly toy: ToyModel | null,
    readonly probe: LinearProbe | null,
  ) {}

  /** Rebuilds the model from a version's files (`config.json`, `model.safetensors`, probe). */
  static load(gpu: Gpu, files: ReadonlyMap<string, Uint8Array>): PublishedModel {
    const need = (name: string) => {
      const bytes = files.get(name);
      if (bytes === undefined) throw new Error(`Cannot load the published model: no ${name}`);
      return bytes;
    };
    const config = parsePublishedConfig(need(MODEL_FILES.config));
    const weights = need(MODEL_FILES.model);
    if (config.kind === "toy") {
      const input = config.input as RowsInput;
      const card = { config: config.network, trainSeconds: 0, columns: { x: input.x, y: input.y } };
      return new PublishedModel(config, null, ToyModel.decode(gpu, weights, card), null);
    }
    const card: BackboneCard = {
      kind: config.method as BackboneCard["kind"],
      config: config.network,
      target: config.target ?? "clean",
      input: config.input as MapInput | ImageInput,
    };
    const backbone = BackboneModel.decode(gpu, weights, card);
    try {
      const probe = config.probe === undefined
        ? null
        : LinearProbe.decode(gpu, need(config.probe.file), config.probe);
      return new PublishedModel(config, backbone, null, probe);
    } catch (e) {
      backbone.dispose();
      throw e;
    }
  }

  /** The map input description; throws unless this is a map model. */
  get mapInput(): PublishedMapInput {
    if (this.config.kind !== "map") {
      throw new Error(`Cannot read maps: a ${this.config.kind} model`);
    }
    const input = this.config.input as PublishedMapInput;
    const layout = mapLayout(input.basis, input.order);
    if (layout.height !== input.height || layout.width !== input.width) {
      throw new Error(
        `Cannot use the published map input: ${input.basis} order ${input.order} lays out ` +
          `${layout.height}×${layout.width} maps, config.json says ${input.height}×${input.width}`,
      );
    }
    return input;
  }

  /**
   * A map model's basis, order and statistics as a map set's (what turns its maps back into
   * shapes, `mapPoints`); `undefined` for other kinds.
   */
  get mapStats(): Pick<MapSet, "meta" | "mean" | "std"> | undefined {
    if (this.config.kind !== "map") return undefined;
    const input = this.mapInput;
    return {
      meta: { ...input, classes: [], ids: [] },
      mean: Float32Array.from(input.mean),
      std: Float32Array.from(input.std),
    };
  }

  /** Frees the networks. */
  dispose(): void {
    this.backbone?.dispose();
    this.toy?.dispose();
    this.probe?.dispose();
  }
}
