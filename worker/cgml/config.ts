/**
 * Every hyper-parameter of cGML in one typed object, with the defaults of the toy reference
 * (worker/cgml/README.md) and presets for the two latent regimes.
 * @module
 */

/** Architecture and Lipschitz constraint of one network (H, G or Z). */
export interface NetworkConfig {
  /** Hidden width of the MLP layers (MLP family; Z in both families). */
  width: number;
  /** Spectral normalisation of every weight (W/σ(W), one power iteration per update). */
  spectralNorm: boolean;
  /** Output scale L multiplying the network's output (bounds its Lipschitz constant by L). */
  outputScale: number;
}

/** Geometry of the conv family (2-D maps stored NHWC, flattened row-major per sample). */
export interface ConvConfig {
  /** Input map [height, width, channels]. */
  inShape: readonly [number, number, number];
  /** Output map [height, width, channels] (same height and width as the input). */
  outShape: readonly [number, number, number];
  /** Channels of the encoder's conv 4×4 stride-2 blocks; the last one is the bottleneck. */
  channels: readonly number[];
  /** Channels of the latent feature map concatenated at the bottleneck. */
  latentChannels: number;
  /**
   * Channels of the dense input lift: a linear layer from the whole flattened input map to a
   * map of the same height and width with this many channels (then LeakyReLU), stacked on the
   * input's channels ahead of the conv encoder, so that every cell sees the whole map. 0 or
   * absent: no lift.
   */
  lift?: number;
  /**
   * Channels of the full-resolution head: the decoder ends with this many channels, and a
   * per-pixel linear layer maps [LeakyReLU(them), the input map's channels] to the output. 0
   * or absent: no head (the decoder's last transposed convolution is the output).
   */
  head?: number;
}

/** Adam settings of one parameter group. */
export interface AdamConfig {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
}

/** How the learning rates change over the epochs (see {@link scheduledLr}). */
export type LrSchedule = "constant" | "cosine";

/**
 * The learning rate of epoch `epoch` (0-based) of `epochs` for the configured rate `lr`:
 * `lr` itself when constant; `lr · (1 + cos(π · epoch / epochs)) / 2` for the cosine schedule.
 */
export function scheduledLr(
  lr: number,
  schedule: LrSchedule | undefined,
  epoch: number,
  epochs: number,
): number {
  if (schedule !== "cosine" || epochs <= 0) return lr;
  return lr * 0.5 * (1 + Math.cos(Math.PI * Math.min(epoch, epochs) / epochs));
}

/** How training latents are kept (worker/cgml/README.md). */
export type LatentMode = "fresh" | "persistent";

/** All hyper-parameters of a cGML (or plain L1) model and its training. */
export interface CgmlConfig {
  /** Seed of every random choice (weights, latents, data order). */
  seed: number;
  /** "cgml" trains H, G, Z by Algorithm 1; "l1" trains the plain regressor G(H(x)) (no z). */
  method: "cgml" | "l1";
  /** Network family: MLPs on vectors or the conv encoder–decoder on 2-D maps. */
  family: "mlp" | "conv";
  /** Input size per sample (conv: product of `conv.inShape`). */
  inDim: number;
  /** Output size per sample (conv: product of `conv.outShape`). */
  outDim: number;
  /** Latent dimension d (z on the unit sphere S^{d−1}). */
  latentDim: number;
  /** Size of h = H(x) (MLP family). */
  embedDim: number;
  /** LeakyReLU slope. */
  leakySlope: number;
  /** H, G and Z. */
  H: NetworkConfig;
  G: NetworkConfig;
  Z: NetworkConfig;
  /** Conv family geometry (ignored by the MLP family). */
  conv: ConvConfig;
  /** Training latents: persistent per sample or fresh per minibatch. */
  latents: LatentMode;
  /** Inner steps l per minibatch. */
  innerSteps: number;
  /** Latent step size β of z_{t+1} = normalize(z_t − β∇_z Ê). */
  beta: number;
  /** Momentum target scale α of ρ = α‖z_{t+1} − z_t‖. */
  alpha: number;
  /** Update H and G once after the l steps instead of at every inner step. */
  updateHGOnce: boolean;
  /** Optimiser of H and G. */
  optimHG: AdamConfig;
  /** Optimiser of Z. */
  optimZ: AdamConfig;
  /**
   * Learning rates over training (both optimisers): constant (absent), or cosine decay from
   * the configured rate at the first epoch towards 0 after the last, set before every epoch.
   */
  lrSchedule?: LrSchedule;
  /** Minibatch size. */
  batchSize: number;
  /** Epochs. */
  epochs: number;
  /** Pairs drawn per epoch when the data is drawn fresh. */
  pairsPerEpoch: number;
  /** Read the loss terms back every this many steps. */
  lossEvery: number;
  /** Inference: Eq. 4 steps T. */
  inferenceSteps: number;
  /** Inference: Eq. 4 with the momentum ρ (false: z_{t+1} = normalize(r), the "w/o ρ" ablation). */
  momentum: boolean;
}

/** Nested partial configuration, for overrides. */
export type CgmlConfigInput = {
  [K in keyof CgmlConfig]?: CgmlConfig[K] extends readonly unknown[] ? CgmlConfig[K]
    : CgmlConfig[K] extends object ? Partial<CgmlConfig[K]>
    : CgmlConfig[K];
};

const ADAM: AdamConfig = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
const PLAIN: NetworkConfig = { width: 64, spectralNorm: false, outputScale: 1 };

/**
 * The defaults: the paper's Fig. 3 setting as the toy reference pins it (3-layer MLPs of width
 * 64, h of 32, d = 8, β = 1, l = 5, α = 1, T = 20, Adam 1e-3, batch 128, 8 000 fresh pairs per
 * epoch, 30 epochs, no spectral norm, fresh latents).
 */
export const DEFAULT_CONFIG: Readonly<CgmlConfig> = Object.freeze<CgmlConfig>({
  seed: 1,
  method: "cgml",
  family: "mlp",
  inDim: 1,
  outDim: 3,
  latentDim: 8,
  embedDim: 32,
  leakySlope: 0.2,
  H: PLAIN,
  G: PLAIN,
  Z: PLAIN,
  conv: {
    inShape: [32, 32, 1],
    outShape: [32, 32, 1],
    channels: [32, 64, 128],
    latentChannels: 16,
  },
  latents: "fresh",
  innerSteps: 5,
  beta: 1.0,
  alpha: 1,
  updateHGOnce: false,
  optimHG: ADAM,
  optimZ: ADAM,
  batchSize: 128,
  epochs: 30,
  pairsPerEpoch: 8000,
  lossEvery: 10,
  inferenceSteps: 20,
  momentum: true,
});

/**
 * Overrides for a fixed data set with persistent latents: the toy reference's three-branch
 * setting (d = 4, β = 0.3, spectral norm on G with output scale L = 10).
 */
export const PERSISTENT_PRESET: Readonly<CgmlConfigInput> = Object.freeze<CgmlConfigInput>({
  latents: "persistent",
  latentDim: 4,
  beta: 0.3,
  G: { spectralNorm: true, outputScale: 10 },
});

/** The defaults with `overrides` applied (network, conv and optimiser entries merged per key). */
export function makeConfig(...overrides: CgmlConfigInput[]): CgmlConfig {
  const out = { ...DEFAULT_CONFIG } as Record<string, unknown>;
  for (const o of overrides) {
    for (const [k, v] of Object.entries(o)) {
      if (v === undefined) continue;
      const base = out[k];
      const nested = typeof v === "object" && v !== null && !Array.isArray(v) &&
        typeof base === "object" && base !== null;
      out[k] = nested ? { ...base, ...v } : v;
    }
  }
  const config = out as unknown as CgmlConfig;
  validateConfig(config);
  return config;
}

/** Throws a RangeError naming the first invalid field. */
export function validateConfig(c: CgmlConfig): void {
  const positiveInt: (keyof CgmlConfig)[] = [
    "inDim",
    "outDim",
    "embedDim",
    "innerSteps",
    "batchSize",
    "pairsPerEpoch",
    "lossEvery",
  ];
  for (const k of positiveInt) {
    const v = c[k] as number;
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`Cannot use config: ${k} must be a positive integer, got ${v}`);
    }
  }
  for (const k of ["epochs", "inferenceSteps", "seed"] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 0) {
      throw new RangeError(`Cannot use config: ${k} must be a non-negative integer, got ${c[k]}`);
    }
  }
  if (c.method === "cgml" && (!Number.isInteger(c.latentDim) || c.latentDim < 2)) {
    throw new RangeError(`Cannot use config: latentDim must be an integer ≥ 2, got ${c.latentDim}`);
  }
  if (c.method !== "cgml" && c.method !== "l1") {
    throw new RangeError(`Cannot use config: method must be "cgml" or "l1", got ${c.method}`);
  }
  if (c.family !== "mlp" && c.family !== "conv") {
    throw new RangeError(`Cannot use config: family must be "mlp" or "conv", got ${c.family}`);
  }
  if (c.latents !== "fresh" && c.latents !== "persistent") {
    throw new RangeError(`Cannot use config: latents must be "fresh" or "persistent"`);
  }
  for (const k of ["beta", "alpha", "leakySlope"] as const) {
    if (!Number.isFinite(c[k]) || c[k] < 0) {
      throw new RangeError(`Cannot use config: ${k} must be a finite number ≥ 0, got ${c[k]}`);
    }
  }
  for (const n of ["H", "G", "Z"] as const) {
    const net = c[n];
    if (!Number.isInteger(net.width) || net.width < 1 || !(net.outputScale > 0)) {
      throw new RangeError(
        `Cannot use config: ${n} needs a positive integer width and outputScale > 0`,
      );
    }
  }
  for (const n of ["optimHG", "optimZ"] as const) {
    if (!(c[n].lr > 0)) throw new RangeError(`Cannot use config: ${n}.lr must be positive`);
  }
  if (c.lrSchedule !== undefined && c.lrSchedule !== "constant" && c.lrSchedule !== "cosine") {
    throw new RangeError(
      `Cannot use config: lrSchedule must be "constant" or "cosine", got ${c.lrSchedule}`,
    );
  }
  if (c.family === "conv") {
    const { inShape, outShape, channels, latentChannels } = c.conv;
    const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
    if (size(inShape) !== c.inDim || size(outShape) !== c.outDim) {
      throw new RangeError(
        `Cannot use config: inDim ${c.inDim} and outDim ${c.outDim} must match conv.inShape ` +
          `[${inShape}] and conv.outShape [${outShape}]`,
      );
    }
    const f = 2 ** channels.length;
    if (
      channels.length < 1 || inShape[0] !== outShape[0] || inShape[1] !== outShape[1] ||
      inShape[0] % f !== 0 || inShape[1] % f !== 0 || !(latentChannels >= 1)
    ) {
      throw new RangeError(
        `Cannot use config: conv maps [${inShape}] → [${outShape}] need equal height and width ` +
          `divisible by 2^${channels.length}, and latentChannels ≥ 1`,
      );
    }
    const lift = c.conv.lift ?? 0;
    if (!Number.isInteger(lift) || lift < 0) {
      throw new RangeError(`Cannot use config: conv.lift must be an integer ≥ 0, got ${lift}`);
    }
    const head = c.conv.head ?? 0;
    if (!Number.isInteger(head) || head < 0) {
      throw new RangeError(`Cannot use config: conv.head must be an integer ≥ 0, got ${head}`);
    }
  }
}
