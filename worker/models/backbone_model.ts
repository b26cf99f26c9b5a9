/**
 * A trained model on the backbone (a map denoiser or an image model): its card, the artifact
 * codec (`map-model` and `image-model` artifacts), inference — k outputs per input: cGML by
 * Eq. 4, the cVAE from z ~ N(0, I), L1 and CE repeat their single output — and the features of
 * H pooled per input.
 * @module
 */
import { type CgmlConfig, CgmlModel, predict } from "../cgml/mod.ts";
import { INPUT_CHANNELS } from "../data/mod.ts";
import type { Gpu, Tensor } from "../gpu/mod.ts";
import { Rng } from "../lib/mod.ts";
import { ops, Tape } from "../nn/mod.ts";
import { encodeModelFile, findModelCard, loadModelWeights, readModelCard } from "./artifact.ts";
import type { BackboneKind, MapTarget } from "./backbone_config.ts";
import type { Progress } from "./hooks.ts";

/** What a map denoiser's inputs are: standardised spectral maps of one basis and order. */
export interface MapInput {
  kind: "maps";
  basis: "zernike" | "sh";
  order: number;
  height: number;
  width: number;
  /** Standardised values are clipped to ±clip. */
  clip: number;
  /** Per-cell mean and std ([H·W]) of the raw coefficients that standardise a new map. */
  mean: number[];
  std: number[];
  /** Points sampled per shape; absent in artifacts written before it was recorded (2048). */
  points?: number;
}

/** What an image model's inputs are: the test inputs of a completion or colorization task. */
export interface ImageInput {
  kind: "images";
  task: "completion" | "colorization";
  height: number;
  width: number;
}

/** Everything that rebuilds a backbone model (stored with its weights). */
export interface BackboneCard {
  kind: BackboneKind;
  config: CgmlConfig;
  target: MapTarget;
  /** What the inputs are; absent in artifacts written before it was recorded. */
  input?: MapInput | ImageInput;
}

/** Metadata key of the card in the safetensors file. */
const CARD_KEY = "map.model";

/** The card of a `map-model` or `image-model` artifact; `undefined` for any other file. */
export function backboneCardOf(bytes: Uint8Array): BackboneCard | undefined {
  return findModelCard<BackboneCard>(bytes, CARD_KEY);
}

/** Options of {@link BackboneModel.infer}. */
export interface DrawOptions {
  /** k: outputs per input. */
  draws: number;
  /** Source of z₀ (cGML) or z (cVAE). */
  rng: Rng;
  /** Eq. 4 steps T (cGML). */
  steps: number;
  /** Eq. 4 with ρ (cGML). */
  momentum: boolean;
}

/**
 * How the encoder features become one vector per input: `flatten` = the deepest level (the
 * bottleneck) flattened; `mean` = the deepest level averaged over space; `pyramid` = every
 * level average-pooled to the bottleneck's grid and concatenated along channels (flattened
 * [h_b, w_b, Σ channels]). With U-Net skips G reads every level of H, not only the deepest.
 */
export type BottleneckPool = "flatten" | "mean" | "pyramid";

/** A trained backbone model on the device. */
export class BackboneModel {
  constructor(readonly card: BackboneCard, readonly model: CgmlModel) {}

  /** cGML or a baseline. */
  get kind(): BackboneKind {
    return this.card.kind;
  }

  /** Clean output or residual. */
  get target(): MapTarget {
    return this.card.target;
  }

  /**
   * Loads safetensors `bytes` onto the device; the card comes from the file's metadata, or
   * from `card` (a published model's config.json).
   */
  static decode(gpu: Gpu, bytes: Uint8Array, card?: BackboneCard): BackboneModel {
    const c = card ?? readModelCard<BackboneCard>(bytes, CARD_KEY, "map model");
    const target = c.target ?? "clean";
    return new BackboneModel({ ...c, target }, loadModelWeights(gpu, bytes, c.config));
  }

  /** Serialises `model` with `card` (the `map-model` / `image-model` artifact). */
  static encode(model: CgmlModel, card: Omit<BackboneCard, "config">): Promise<Uint8Array> {
    const full: BackboneCard = { kind: card.kind, config: model.config, target: card.target };
    if (card.input !== undefined) full.input = card.input;
    return encodeModelFile(model, CARD_KEY, full);
  }

  /** The predictor's name in reports: the kind, or cGML's ablation that `o` selects. */
  predictorName(o: Pick<DrawOptions, "steps" | "momentum">): string {
    if (this.kind !== "cgml") return this.kind;
    return o.steps === 0 ? "cgml-no-move" : o.momentum ? "cgml" : "cgml-no-rho";
  }

  /**
   * k outputs per input ([m·k, outDim], draw-major within an input). Residual models add the
   * input value back.
   */
  async infer(inputs: Float32Array, opts: DrawOptions): Promise<Float32Array> {
    const out = this.kind === "cgml"
      ? (await predict(this.model, inputs, {
        draws: opts.draws,
        steps: opts.steps,
        momentum: opts.momentum,
        rng: opts.rng,
        chunkRows: 256,
      })).outputs
      : await this.#baselineDraws(inputs, opts);
    if (this.target === "residual") {
      const cells = this.model.config.outDim;
      for (let r = 0; r < out.length / cells; r++) {
        const src = Math.floor(r / opts.draws) * cells;
        for (let c = 0; c < cells; c++) out[r * cells + c] += inputs[(src + c) * INPUT_CHANNELS];
      }
    }
    return out;
  }

  /**
   * The k draws of an evaluation of `m` inputs, reported as input progress; z₀ (or the cVAE's
   * z) comes from an RNG seeded by `seed`, so every model evaluated with the same seed sees the
   * same draws.
   */
  async evaluationDraws(
    inputs: Float32Array,
    o: { k: number; seed: number; steps: number; momentum: boolean },
    progress: (p: Progress) => void = () => {},
  ): Promise<Float32Array> {
    const m = inputs.length / this.model.config.inDim;
    progress({ unit: "inputs", done: 0, total: m });
    const out = await this.infer(inputs, {
      draws: o.k,
      rng: new Rng((o.seed * 131 + 5) >>> 0),
      steps: o.steps,
      momentum: o.momentum,
    });
    progress({ unit: "inputs", done: m, total: m });
    return out;
  }

  /** Features of H ([m, F]) pooled as {@link BottleneckPool} says. */
  async features(
    inputs: Float32Array,
    pool: BottleneckPool,
  ): Promise<{ features: Float32Array; dim: number }> {
    const c = this.model.config;
    const gpu = this.model.gpu;
    const n = inputs.length / c.inDim;
    const parts: Float32Array[] = [];
    let dim = 0;
    for (let first = 0; first < n; first += 128) {
      const rows = Math.min(128, n - first);
      const x = inputs.slice(first * c.inDim, (first + rows) * c.inDim);
      const f = await gpu.scopeAsync(async () => {
        const tape = new Tape(gpu, { record: false });
        try {
          const levels = this.model.nets.encode(tape, gpu.tensor(x, [rows, c.inDim])).features;
          const last = levels[levels.length - 1];
          const out = pool === "mean"
            ? ops.mean(tape, last, [1, 2])
            : pool === "pyramid"
            ? pyramidPool(tape, levels)
            : last;
          dim = out.size / rows;
          return await out.read();
        } finally {
          tape.dispose();
        }
      });
      parts.push(f);
    }
    const features = new Float32Array(n * dim);
    let o = 0;
    for (const p of parts) {
      features.set(p, o);
      o += p.length;
    }
    return { features, dim };
  }

  /** Frees the networks. */
  dispose(): void {
    this.model.dispose();
  }

  /** The baselines' k outputs: the cVAE decodes k draws of z ~ N(0, I), L1 and CE repeat. */
  async #baselineDraws(inputs: Float32Array, opts: DrawOptions): Promise<Float32Array> {
    const m = this.model;
    const c = m.config;
    const k = opts.draws;
    const cvae = this.kind === "cvae";
    const n = inputs.length / c.inDim;
    const out = new Float32Array(n * k * c.outDim);
    const chunk = Math.max(1, Math.floor(256 / k));
    for (let first = 0; first < n; first += chunk) {
      const count = Math.min(chunk, n - first);
      const rows = cvae ? count * k : count;
      const xs = new Float32Array(rows * c.inDim);
      for (let i = 0; i < rows; i++) {
        const src = first + (cvae ? Math.floor(i / k) : i);
        xs.set(inputs.subarray(src * c.inDim, (src + 1) * c.inDim), i * c.inDim);
      }
      const z = cvae ? opts.rng.normalArray(rows * c.latentDim) : null;
      const y = await m.gpu.scopeAsync(async () => {
        const tape = new Tape(m.gpu, { record: false });
        try {
          const h = m.nets.encode(tape, m.gpu.tensor(xs, [rows, c.inDim]));
          const zt = z ? m.gpu.tensor(z, [rows, c.latentDim]) : null;
          return await m.nets.generate(tape, h, zt).read();
        } finally {
          tape.dispose();
        }
      });
      for (let i = 0; i < count; i++) {
        for (let j = 0; j < k; j++) {
          const src = cvae ? i * k + j : i;
          out.set(
            y.subarray(src * c.outDim, (src + 1) * c.outDim),
            ((first + i) * k + j) * c.outDim,
          );
        }
      }
    }
    return out;
  }
}

/**
 * Every level of `features` ([B, h, w, c], finest first) average-pooled to the grid of the last
 * level and concatenated along channels: [B, h_last, w_last, Σ c].
 */
export function pyramidPool(tape: Tape, features: readonly Tensor[]): Tensor {
  const [, hb, wb] = features[features.length - 1].shape;
  const pooled = features.map((f) => {
    const [B, h, w, c] = f.shape;
    if (h % hb !== 0 || w % wb !== 0) {
      throw new RangeError(
        `Cannot pool a ${h}×${w} level to the ${hb}×${wb} bottleneck grid: sizes must divide`,
      );
    }
    if (h === hb && w === wb) return f;
    const blocks = ops.reshape(tape, f, [B, hb, h / hb, wb, w / wb, c]);
    return ops.mean(tape, blocks, [2, 4]);
  });
  return pooled.length === 1 ? pooled[0] : ops.concat(tape, pooled, 3);
}
