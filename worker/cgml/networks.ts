/**
 * The three networks of cGML built from a {@link CgmlConfig}:
 * - MLP family (vectors): H: x → h, G: [h, z] → ŷ, Z: [z, h] → (r, ρ), each three linear
 *   layers with LeakyReLU between them;
 * - conv family (2-D maps, NHWC): H is a conv 4×4 stride-2 encoder returning every level's
 *   features; G maps z by a linear layer to a feature map concatenated at the bottleneck and
 *   decodes with 4×4 stride-2 transposed convolutions and U-Net skips; Z is an MLP on
 *   [z, h pooled over space].
 * An optional dense input lift (`conv.lift` channels) maps the flattened input by a linear
 * layer and LeakyReLU to a map of the input's height and width, stacked on the input's own
 * channels ahead of the encoder. An optional full-resolution head (`conv.head` channels) ends G
 * with a per-pixel linear layer over [LeakyReLU(decoder output), input map], so that every output
 * pixel sees its own input pixel (the encoder's finest level is already at half resolution).
 * Z gives d + 1 outputs: r and ρ = softplus(last output). Spectral normalisation and the output
 * scale L are set per network. The MLPs (all of the MLP family, and Z in both) are
 * {@link FusedMlp}s: a few dispatches per pass instead of one per elementary op. The plain L1
 * regressor (`method: "l1"`) has no z and no Z.
 * @module
 */
import {
  FusedMlp,
  type Layer,
  Linear,
  Module,
  ops,
  SpectralNorm,
  type Tape,
  UNetDecoder,
  UNetEncoder,
} from "../nn/mod.ts";
import type { CgmlConfig, NetworkConfig } from "./config.ts";
import type { Gpu, Tensor } from "../gpu/mod.ts";
import type { Rng } from "../lib/mod.ts";

/** H(x): the flat code used by Z (and by G in the MLP family) plus the conv features. */
export interface Encoding {
  /** [B, hDim]: h itself (MLP) or the bottleneck pooled over space (conv). */
  flat: Tensor;
  /** Encoder features, finest first (conv family; empty for MLPs). */
  features: Tensor[];
  /** The input as a map [B, H, W, C] (conv family with a full-resolution head). */
  input?: Tensor;
}

/** H, G and Z with their forward passes (each records on the given tape). */
export interface CgmlNetworks {
  /** The encoder. */
  readonly H: Module;
  /** The generator. */
  readonly G: Module;
  /** The latent mover (null for the plain L1 regressor). */
  readonly Z: Module | null;
  /** h = H(x) for x [B, inDim]. */
  encode(tape: Tape, x: Tensor): Encoding;
  /** ŷ = G(h, z) [B, outDim]; z [B, d], or null for the L1 regressor. */
  generate(tape: Tape, h: Encoding, z: Tensor | null): Tensor;
  /** Z(z, h) = (r, ρ) [B, d + 1], ρ ≥ 0. */
  move(tape: Tape, z: Tensor, h: Encoding): Tensor;
}

/** Latent dimension actually used: d for cGML, 0 for the plain L1 regressor. */
export function usedLatentDim(config: CgmlConfig): number {
  return config.method === "cgml" ? config.latentDim : 0;
}

class Networks implements CgmlNetworks {
  constructor(
    readonly H: Module,
    readonly G: Module,
    readonly Z: FusedMlp | null,
    readonly encode: (tape: Tape, x: Tensor) => Encoding,
    readonly generate: (tape: Tape, h: Encoding, z: Tensor | null) => Tensor,
  ) {}

  move(tape: Tape, z: Tensor, h: Encoding): Tensor {
    if (!this.Z) throw new Error("Cannot move latents: the L1 regressor has no Z");
    return this.Z.forwardPair(tape, z, h.flat);
  }
}

function fused(
  gpu: Gpu,
  rng: Rng,
  c: CgmlConfig,
  net: NetworkConfig,
  sizes: number[],
  softplusLast = false,
): FusedMlp {
  return new FusedMlp(gpu, rng, sizes, {
    slope: c.leakySlope,
    spectralNorm: net.spectralNorm,
    outputScale: net.outputScale,
    softplusLast,
  });
}

function moverNet(gpu: Gpu, rng: Rng, c: CgmlConfig, hDim: number): FusedMlp | null {
  if (c.method !== "cgml") return null;
  const d = c.latentDim;
  return fused(gpu, rng, c, c.Z, [d + hDim, c.Z.width, c.Z.width, d + 1], true);
}

function buildMlp(gpu: Gpu, rng: Rng, c: CgmlConfig): CgmlNetworks {
  const d = usedLatentDim(c);
  const H = fused(gpu, rng, c, c.H, [c.inDim, c.H.width, c.H.width, c.embedDim]);
  const G = fused(gpu, rng, c, c.G, [c.embedDim + d, c.G.width, c.G.width, c.outDim]);
  const Z = moverNet(gpu, rng, c, c.embedDim);
  return new Networks(
    H,
    G,
    Z,
    (tape, x) => ({ flat: H.forward(tape, x), features: [] }),
    (tape, h, z) => G.forwardPair(tape, h.flat, z),
  );
}

/**
 * G of the conv family: z → linear → bottleneck map, then the U-Net decoder, and with
 * `conv.head` > 0 the per-pixel head over [LeakyReLU(decoder output), input map].
 */
class ConvGenerator extends Module {
  readonly zMap: Layer | null;
  readonly decoder: UNetDecoder;
  readonly head: Layer | null;
  readonly bottleneck: readonly [number, number, number];

  constructor(gpu: Gpu, rng: Rng, readonly c: CgmlConfig, d: number) {
    super();
    const { inShape, outShape, channels, latentChannels } = c.conv;
    const head = c.conv.head ?? 0;
    const f = 2 ** channels.length;
    this.bottleneck = [inShape[0] / f, inShape[1] / f, latentChannels];
    if (d > 0) {
      const lin = new Linear(gpu, rng, d, this.bottleneck[0] * this.bottleneck[1] * latentChannels);
      this.zMap = this.addModule(
        "zMap",
        c.G.spectralNorm ? new SpectralNorm(gpu, rng, lin) : lin,
      );
    } else {
      this.zMap = null;
    }
    this.decoder = this.addModule(
      "decoder",
      new UNetDecoder(gpu, rng, {
        widths: channels,
        slope: c.leakySlope,
        spectralNorm: c.G.spectralNorm,
        outChannels: head > 0 ? head : outShape[2],
        extraChannels: d > 0 ? latentChannels : 0,
        outputScale: head > 0 ? 1 : c.G.outputScale,
      }),
    );
    if (head > 0) {
      const lin = new Linear(gpu, rng, head + inShape[2], outShape[2]);
      this.head = this.addModule("head", c.G.spectralNorm ? new SpectralNorm(gpu, rng, lin) : lin);
    } else {
      this.head = null;
    }
  }

  forward(tape: Tape, h: Encoding, z: Tensor | null): Tensor {
    const extra = this.zMap && z
      ? ops.reshape(tape, this.zMap.forward(tape, z), [z.shape[0], ...this.bottleneck])
      : null;
    const y = this.decoder.forward(tape, h.features, extra);
    if (!this.head) return y;
    if (!h.input) {
      throw new Error("Cannot run the full-resolution head: the encoding has no input map");
    }
    const [B, height, width] = y.shape;
    const both = ops.concat(tape, [ops.leakyRelu(tape, y, this.c.leakySlope), h.input], 3);
    const rows = ops.reshape(tape, both, [B * height * width, both.shape[3]]);
    const linear = this.head.forward(tape, rows);
    const out = this.c.G.outputScale === 1 ? linear : ops.scale(tape, linear, this.c.G.outputScale);
    return ops.reshape(tape, out, [B, height, width, out.shape[1]]);
  }
}

function encoderOf(gpu: Gpu, rng: Rng, c: CgmlConfig, inChannels: number): UNetEncoder {
  return new UNetEncoder(gpu, rng, {
    widths: c.conv.channels,
    slope: c.leakySlope,
    spectralNorm: c.H.spectralNorm,
    inChannels,
  });
}

/** H of the conv family with the dense input lift: [x, LeakyReLU(linear(x))] → U-Net encoder. */
class LiftedEncoder extends Module {
  readonly lift: Layer;
  readonly encoder: UNetEncoder;
  readonly inShape: readonly [number, number, number];
  readonly mapShape: readonly [number, number, number];

  constructor(gpu: Gpu, rng: Rng, c: CgmlConfig, channels: number, readonly slope: number) {
    super();
    const [height, width, inChannels] = c.conv.inShape;
    this.inShape = c.conv.inShape;
    this.mapShape = [height, width, channels];
    const lin = new Linear(gpu, rng, c.inDim, height * width * channels);
    this.lift = this.addModule("lift", c.H.spectralNorm ? new SpectralNorm(gpu, rng, lin) : lin);
    this.encoder = this.addModule("encoder", encoderOf(gpu, rng, c, inChannels + channels));
  }

  /** Encoder features of x [B, inDim], finest first. */
  forward(tape: Tape, x: Tensor): Tensor[] {
    const B = x.shape[0];
    const lifted = ops.leakyRelu(tape, this.lift.forward(tape, x), this.slope);
    const map = ops.concat(tape, [
      ops.reshape(tape, x, [B, ...this.inShape]),
      ops.reshape(tape, lifted, [B, ...this.mapShape]),
    ], 3);
    return this.encoder.forward(tape, map);
  }
}

function buildConv(gpu: Gpu, rng: Rng, c: CgmlConfig): CgmlNetworks {
  const d = usedLatentDim(c);
  const { inShape, channels } = c.conv;
  const lift = c.conv.lift ?? 0;
  const H = lift > 0
    ? new LiftedEncoder(gpu, rng, c, lift, c.leakySlope)
    : encoderOf(gpu, rng, c, inShape[2]);
  const G = new ConvGenerator(gpu, rng, c, d);
  const Z = moverNet(gpu, rng, c, channels[channels.length - 1]);
  return new Networks(
    H,
    G,
    Z,
    (tape, x) => {
      const map = ops.reshape(tape, x, [x.shape[0], ...inShape]);
      let features = H instanceof LiftedEncoder ? H.forward(tape, x) : H.forward(tape, map);
      if (c.H.outputScale !== 1) {
        features = features.map((f) => ops.scale(tape, f, c.H.outputScale));
      }
      const flat = ops.mean(tape, features[features.length - 1], [1, 2]);
      return G.head ? { flat, features, input: map } : { flat, features };
    },
    (tape, h, z) => {
      const y = G.forward(tape, h, z);
      return ops.reshape(tape, y, [y.shape[0], c.outDim]);
    },
  );
}

/** Builds H, G and Z for `config`, drawing every weight from `rng`. */
export function buildNetworks(gpu: Gpu, rng: Rng, config: CgmlConfig): CgmlNetworks {
  return config.family === "conv" ? buildConv(gpu, rng, config) : buildMlp(gpu, rng, config);
}
