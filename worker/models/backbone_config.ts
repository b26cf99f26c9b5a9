/**
 * The shared backbone of the map denoisers and the image models — the cGML conv family: U-Net
 * encoder H, decoder G with a latent map at the bottleneck — and its configuration from params.
 * @module
 */
import { type CgmlConfig, type CgmlConfigInput, makeConfig } from "../cgml/mod.ts";
import { INPUT_CHANNELS } from "../data/mod.ts";

/** The models on the backbone: cGML and the baselines (L1 regressor, cVAE, Context Encoder). */
export type BackboneKind = "cgml" | "l1" | "cvae" | "ce";

/**
 * What the network is trained to output: the clean map, or the residual clean − corrupted
 * value (the denoised map is then the input value plus the output: a global skip from the input
 * to the output, so the cells that are not corrupted need no copying through the bottleneck).
 */
export type MapTarget = "clean" | "residual";

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
  /** Channels of the full-resolution head at the end of G (absent or 0 = none). */
  head?: number;
}

/** Encoder channels: width, 2·width, … (capped at 8·width), one per level. */
export function channelsOf(width: number, depth: number): number[] {
  return Array.from({ length: depth }, (_, i) => width * Math.min(2 ** i, 8));
}

/** Channels in and out of a backbone network. */
export interface BackboneIo {
  inChannels: number;
  outChannels: number;
}

/**
 * The conv-family configuration of a model of `height × width` inputs (default channels: the
 * three map input channels in, one value out); `extra` (e.g. cGML's settings) goes on top.
 */
export function backboneConfig(
  kind: BackboneKind,
  height: number,
  width: number,
  p: BackboneParams,
  extra: CgmlConfigInput = {},
  io: BackboneIo = { inChannels: INPUT_CHANNELS, outChannels: 1 },
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
      ...(p.head ? { head: p.head } : {}),
    },
    batchSize: p.batch,
    epochs: p.epochs,
    optimHG: { lr: p.lr },
    lossEvery: 10,
  }, extra);
}
