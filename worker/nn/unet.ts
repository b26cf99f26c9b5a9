/**
 * Encoder–decoder networks with U-Net skips on NHWC images (Context-Encoder style, DESIGN §2):
 * the encoder halves the resolution per level with 4×4 stride-2 convolutions + LeakyReLU and
 * returns every level's features; the decoder doubles it back with 4×4 stride-2 transposed
 * convolutions, concatenating the encoder feature of the same resolution (the skip) and,
 * optionally, an extra feature map at the bottleneck (e.g. a latent code mapped to a map).
 */
import { Activation, Conv2d, ConvTranspose2d, Scale, type WeightedLayer } from "./layers.ts";
import { type Layer, Module } from "./module.ts";
import { concat } from "./ops/shape.ts";
import { Sequential } from "./sequential.ts";
import { SpectralNorm } from "./spectral_norm.ts";
import type { Tape } from "./tape.ts";
import type { Gpu, Tensor } from "../gpu/mod.ts";
import type { Rng } from "../lib/mod.ts";

/** Options shared by encoder and decoder. */
export interface UNetCommonOptions {
  /** Channels per level, finest first (level i has resolution H / 2^(i+1)). */
  widths: readonly number[];
  /** Even kernel size; padding is kernel/2 - 1 so each level halves or doubles (default 4). */
  kernel?: number;
  /** LeakyReLU slope (default 0.2). */
  slope?: number;
  /** Spectrally normalise every (transposed) convolution (default false). */
  spectralNorm?: boolean;
}

/** Options of {@link UNetEncoder}. */
export interface UNetEncoderOptions extends UNetCommonOptions {
  /** Input channels. */
  inChannels: number;
}

/** Strided-convolution encoder returning the features of every level. */
export class UNetEncoder extends Module {
  /** One conv + LeakyReLU block per level (`blocks.i.`). */
  readonly blocks: readonly Sequential[];

  /** Builds the encoder with weights drawn from `rng`. */
  constructor(gpu: Gpu, rng: Rng, opts: UNetEncoderOptions) {
    super();
    const g = geometry(opts);
    const blocks: Sequential[] = [];
    let cin = opts.inChannels;
    for (const [i, cout] of opts.widths.entries()) {
      const conv = new Conv2d(gpu, rng, { inChannels: cin, outChannels: cout, ...g.conv });
      blocks.push(
        this.addModule(
          `blocks.${i}`,
          new Sequential(wrap(gpu, rng, conv, opts), new Activation("leaky_relu", g.slope)),
        ),
      );
      cin = cout;
    }
    this.blocks = blocks;
  }

  /** Features of every level, finest first; the last is the bottleneck. */
  forward(tape: Tape, x: Tensor): Tensor[] {
    const feats: Tensor[] = [];
    let h = x;
    for (const b of this.blocks) {
      h = b.forward(tape, h);
      feats.push(h);
    }
    return feats;
  }
}

/** Options of {@link UNetDecoder}. */
export interface UNetDecoderOptions extends UNetCommonOptions {
  /** Output channels. */
  outChannels: number;
  /** Channels of the extra map concatenated at the bottleneck (default 0: none). */
  extraChannels?: number;
  /** Concatenate the encoder features of each resolution (default true). */
  skips?: boolean;
  /** Multiply the output by this factor, e.g. the Lipschitz bound L (default 1: none). */
  outputScale?: number;
}

/**
 * Transposed-convolution decoder over an encoder's features (same `widths`). Each level but
 * the last ends with LeakyReLU; the output is linear (times `outputScale`).
 */
export class UNetDecoder extends Module {
  /** One block per level, coarsest first (`blocks.i.`). */
  readonly blocks: readonly Sequential[];
  /** Whether skips are concatenated. */
  readonly skips: boolean;
  /** Channels expected in the bottleneck extra map. */
  readonly extraChannels: number;

  /** Builds the decoder with weights drawn from `rng`. */
  constructor(gpu: Gpu, rng: Rng, opts: UNetDecoderOptions) {
    super();
    const g = geometry(opts);
    const w = opts.widths;
    this.skips = opts.skips ?? true;
    this.extraChannels = opts.extraChannels ?? 0;
    const blocks: Sequential[] = [];
    for (let level = w.length - 1; level >= 0; level--) {
      const cin = level === w.length - 1
        ? w[level] + this.extraChannels
        : w[level] * (this.skips ? 2 : 1);
      const last = level === 0;
      const conv = new ConvTranspose2d(gpu, rng, {
        inChannels: cin,
        outChannels: last ? opts.outChannels : w[level - 1],
        ...g.conv,
        gain: last ? 1 : g.conv.gain,
      });
      const layers: Layer[] = [wrap(gpu, rng, conv, opts)];
      if (!last) layers.push(new Activation("leaky_relu", g.slope));
      else if ((opts.outputScale ?? 1) !== 1) layers.push(new Scale(opts.outputScale!));
      blocks.push(this.addModule(`blocks.${blocks.length}`, new Sequential(...layers)));
    }
    this.blocks = blocks;
  }

  /**
   * Decodes encoder `features` (finest first, as {@link UNetEncoder.forward} returns them),
   * with `extra` [N, h, w, extraChannels] concatenated to the bottleneck when configured.
   */
  forward(tape: Tape, features: readonly Tensor[], extra?: Tensor | null): Tensor {
    if (features.length !== this.blocks.length) {
      throw new RangeError(
        `Cannot decode: got ${features.length} feature maps for ${this.blocks.length} levels`,
      );
    }
    if ((this.extraChannels > 0) !== Boolean(extra)) {
      throw new RangeError(
        `Cannot decode: the decoder expects ${this.extraChannels} extra bottleneck channels`,
      );
    }
    const n = features.length;
    let h = extra ? concat(tape, [features[n - 1], extra], 3) : features[n - 1];
    this.blocks.forEach((block, i) => {
      const level = n - 1 - i;
      if (i > 0 && this.skips) h = concat(tape, [h, features[level]], 3);
      h = block.forward(tape, h);
    });
    return h;
  }
}

function geometry(opts: UNetCommonOptions) {
  const kernel = opts.kernel ?? 4;
  if (kernel < 2 || kernel % 2 !== 0) {
    throw new RangeError(`Cannot build a U-Net level with kernel ${kernel}: it must be even`);
  }
  const slope = opts.slope ?? 0.2;
  return {
    slope,
    conv: { kernel, stride: 2, padding: kernel / 2 - 1, gain: Math.sqrt(2 / (1 + slope * slope)) },
  };
}

function wrap(gpu: Gpu, rng: Rng, layer: WeightedLayer, opts: UNetCommonOptions): Layer {
  return opts.spectralNorm ? new SpectralNorm(gpu, rng, layer) : layer;
}
