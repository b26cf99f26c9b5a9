/**
 * Map denoisers on the shared backbone (the cGML conv family: U-Net encoder H, decoder G with a
 * latent map at the bottleneck): building their configuration from stage params, storing them
 * as artifacts, denoising with k draws, and the bottleneck features of H.
 * @module
 */
import { type CgmlConfig, CgmlModel, makeConfig, predict } from "../cgml/mod.ts";
import { type Gpu, type Tensor } from "../gpu/mod.ts";
import { Rng } from "../lib/mod.ts";
import { ops, Tape } from "../nn/mod.ts";
import { INPUT_CHANNELS } from "./corrupt.ts";
import { decodeModelArtifact, encodeModelArtifact } from "./model_artifact.ts";
import type { StageContext } from "./types.ts";

/** The four denoisers. */
export type MapModelKind = "cgml" | "l1" | "cvae" | "ce";

/**
 * What the network is trained to output: the clean map, or the residual clean − corrupted
 * value (the denoised map is then the input value plus the output: a global skip from the input
 * to the output, so the cells that are not corrupted need no copying through the bottleneck).
 */
export type MapTarget = "clean" | "residual";

/** Stored next to the weights. */
export interface MapModelMeta {
  kind: MapModelKind;
  config: CgmlConfig;
  target: MapTarget;
}

const META_KEY = "map.model";

/** Backbone params shared by cGML and the baselines. */
export interface BackboneParams {
  width: number;
  depth: number;
  epochs: number;
  batch: number;
  lr: number;
  seed: number;
  latent_dim: number;
  /** Channels of the dense input lift ahead of the encoder (0 = none). */
  lift: number;
}

/** Encoder channels: width, 2·width, … (capped at 8·width), one per level. */
export function channelsOf(width: number, depth: number): number[] {
  return Array.from({ length: depth }, (_, i) => width * Math.min(2 ** i, 8));
}

/**
 * The conv-family configuration of a model of `height × width` maps (default channels: the
 * three map input channels in, one value out).
 */
export function backboneConfig(
  kind: MapModelKind,
  height: number,
  width: number,
  p: BackboneParams,
  extra: Parameters<typeof makeConfig>[0] = {},
  io: { inChannels: number; outChannels: number } = { inChannels: INPUT_CHANNELS, outChannels: 1 },
): CgmlConfig {
  const f = 2 ** p.depth;
  if (height % f !== 0 || width % f !== 0) {
    throw new RangeError(
      `Cannot build a depth-${p.depth} backbone for ${height}×${width} maps: both must be multiples of ${f}`,
    );
  }
  return makeConfig({
    seed: p.seed,
    method: kind === "l1" || kind === "ce" ? "l1" : "cgml",
    family: "conv",
    inDim: height * width * io.inChannels,
    outDim: height * width * io.outChannels,
    latentDim: p.latent_dim,
    conv: {
      inShape: [height, width, io.inChannels],
      outShape: [height, width, io.outChannels],
      channels: channelsOf(p.width, p.depth),
      latentChannels: Math.max(4, p.width / 2),
      ...(p.lift > 0 ? { lift: p.lift } : {}),
    },
    batchSize: p.batch,
    epochs: p.epochs,
    optimHG: { lr: p.lr },
    lossEvery: 10,
  }, extra);
}

/** Serialises a trained backbone (weights, configuration and target). */
export function encodeMapModel(
  kind: MapModelKind,
  model: CgmlModel,
  target: MapTarget,
): Promise<Uint8Array> {
  const meta: MapModelMeta = { kind, config: model.config, target };
  return encodeModelArtifact(model, META_KEY, meta);
}

/** A loaded denoiser. */
export interface MapModel {
  kind: MapModelKind;
  model: CgmlModel;
  target: MapTarget;
}

/** Loads a `map-model` artifact onto the device. */
export function decodeMapModel(gpu: Gpu, bytes: Uint8Array): MapModel {
  const { model, meta } = decodeModelArtifact<MapModelMeta>(gpu, bytes, META_KEY, "map model");
  return { kind: meta.kind, model, target: meta.target ?? "clean" };
}

/** Options of {@link denoise}. */
export interface DenoiseOptions {
  draws: number;
  rng: Rng;
  /** Eq. 4 steps (cGML). */
  steps: number;
  /** Eq. 4 with ρ (cGML). */
  momentum: boolean;
}

/**
 * k denoised maps per input ([m·k, H·W], draw-major within an input): cGML by Eq. 4, the cVAE
 * from z ~ N(0, I), L1 and CE repeat their single output. Residual models add the input value.
 */
export async function denoise(
  m: MapModel,
  inputs: Float32Array,
  opts: DenoiseOptions,
): Promise<Float32Array> {
  const out = await networkOutputs(m, inputs, opts);
  if (m.target === "residual") {
    const cells = m.model.config.outDim;
    for (let r = 0; r < out.length / cells; r++) {
      const src = Math.floor(r / opts.draws) * cells;
      for (let c = 0; c < cells; c++) {
        out[r * cells + c] += inputs[(src + c) * INPUT_CHANNELS];
      }
    }
  }
  return out;
}

async function networkOutputs(
  m: MapModel,
  inputs: Float32Array,
  opts: DenoiseOptions,
): Promise<Float32Array> {
  const c = m.model.config;
  const k = opts.draws;
  if (m.kind === "cgml") {
    const out = await predict(m.model, inputs, {
      draws: k,
      steps: opts.steps,
      momentum: opts.momentum,
      rng: opts.rng,
      chunkRows: 256,
    });
    return out.outputs;
  }
  const n = inputs.length / c.inDim;
  const out = new Float32Array(n * k * c.outDim);
  const chunk = Math.max(1, Math.floor(256 / k));
  for (let first = 0; first < n; first += chunk) {
    const count = Math.min(chunk, n - first);
    const rows = m.kind === "cvae" ? count * k : count;
    const xs = new Float32Array(rows * c.inDim);
    for (let i = 0; i < rows; i++) {
      const src = first + (m.kind === "cvae" ? Math.floor(i / k) : i);
      xs.set(inputs.subarray(src * c.inDim, (src + 1) * c.inDim), i * c.inDim);
    }
    const z = m.kind === "cvae" ? opts.rng.normalArray(rows * c.latentDim) : null;
    const y = await m.model.gpu.scopeAsync(async () => {
      const tape = new Tape(m.model.gpu, { record: false });
      try {
        const h = m.model.nets.encode(tape, m.model.gpu.tensor(xs, [rows, c.inDim]));
        const zt = z ? m.model.gpu.tensor(z, [rows, c.latentDim]) : null;
        return await m.model.nets.generate(tape, h, zt).read();
      } finally {
        tape.dispose();
      }
    });
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < k; j++) {
        const src = m.kind === "cvae" ? i * k + j : i;
        out.set(
          y.subarray(src * c.outDim, (src + 1) * c.outDim),
          ((first + i) * k + j) * c.outDim,
        );
      }
    }
  }
  return out;
}

/**
 * How the encoder features become one vector per map: `flatten` = the deepest level (the
 * bottleneck) flattened; `mean` = the deepest level averaged over space; `pyramid` = every
 * level average-pooled to the bottleneck's grid and concatenated along channels (flattened
 * [h_b, w_b, Σ channels]). With U-Net skips G reads every level of H, not only the deepest.
 */
export type BottleneckPool = "flatten" | "mean" | "pyramid";

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

/** Features of H ([m, F]) pooled as {@link BottleneckPool} says. */
export async function bottleneck(
  m: MapModel,
  inputs: Float32Array,
  pool: BottleneckPool,
): Promise<{ features: Float32Array; dim: number }> {
  const c = m.model.config;
  const gpu = m.model.gpu;
  const n = inputs.length / c.inDim;
  const parts: Float32Array[] = [];
  let dim = 0;
  for (let first = 0; first < n; first += 128) {
    const rows = Math.min(128, n - first);
    const f = await gpu.scopeAsync(async () => {
      const tape = new Tape(gpu, { record: false });
      try {
        const x = gpu.tensor(inputs.slice(first * c.inDim, (first + rows) * c.inDim), [
          rows,
          c.inDim,
        ]);
        const levels = m.model.nets.encode(tape, x).features;
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

/** Network inputs of clean maps (no corruption): value, validity, masked = 0. */
export function cleanInputs(
  values: Float32Array,
  valid: Float32Array,
  rows: readonly number[],
): Float32Array {
  const cells = valid.length;
  const out = new Float32Array(rows.length * cells * INPUT_CHANNELS);
  rows.forEach((r, i) => {
    for (let k = 0; k < cells; k++) {
      out[(i * cells + k) * INPUT_CHANNELS] = values[r * cells + k];
      out[(i * cells + k) * INPUT_CHANNELS + 1] = valid[k];
    }
  });
  return out;
}

/**
 * Training targets of corrupted `inputs` ([n, cells, 3]) of the maps `rows`: the clean values,
 * or clean − corrupted value (0 on padding) for a residual model.
 */
export function targetsOf(
  target: MapTarget,
  values: Float32Array,
  cells: number,
  rows: readonly number[],
  inputs: Float32Array,
): Float32Array {
  const out = gatherRows(values, cells, rows);
  if (target === "residual") {
    for (let k = 0; k < out.length; k++) out[k] -= inputs[k * INPUT_CHANNELS];
  }
  return out;
}

/**
 * Per-cell loss weights of corrupted maps ([n, cells] from `changed`): 1 on corrupted cells,
 * `cleanWeight` on the other valid cells, 0 on padding; written into `out`.
 */
export function lossWeights(
  changed: Float32Array,
  valid: Float32Array,
  cleanWeight: number,
  out: Float32Array = new Float32Array(changed.length),
): Float32Array {
  const cells = valid.length;
  for (let k = 0; k < changed.length; k++) {
    out[k] = changed[k] !== 0 ? 1 : valid[k % cells] !== 0 ? cleanWeight : 0;
  }
  return out;
}

/** Rows `rows` of `values` ([N, cells]) as one array. */
export function gatherRows(
  values: Float32Array,
  cells: number,
  rows: readonly number[],
): Float32Array {
  const out = new Float32Array(rows.length * cells);
  rows.forEach((r, i) => out.set(values.subarray(r * cells, (r + 1) * cells), i * cells));
  return out;
}

/**
 * The k draws of an evaluation stage for `count` inputs, reported as input progress; z₀ comes
 * from an RNG seeded by the stage's `seed`, so every model of a pipeline sees the same draws.
 */
export async function evaluationDraws(
  ctx: Pick<StageContext, "progress">,
  m: MapModel,
  inputs: Float32Array,
  count: number,
  p: { k: number; seed: number; steps: number; momentum: boolean },
): Promise<Float32Array> {
  ctx.progress({ unit: "inputs", done: 0, total: count });
  const out = await denoise(m, inputs, {
    draws: p.k,
    rng: new Rng((p.seed * 131 + 5) >>> 0),
    steps: p.steps,
    momentum: p.momentum,
  });
  ctx.progress({ unit: "inputs", done: count, total: count });
  return out;
}
