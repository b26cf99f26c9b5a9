/**
 * Basic layers: Linear, Conv2d, ConvTranspose2d (deterministic init from a seeded {@link Rng}),
 * activations and a constant output scale.
 *
 * Weights are drawn from U(-b, b) with b = gain·√(3 / fanIn), i.e. standard deviation
 * gain/√fanIn (gain 1 keeps unit variance through a linear map; √2 suits ReLU, and
 * √(2 / (1 + slope²)) LeakyReLU). Biases start at zero.
 */
import type { UnaryOp } from "../gpu/kernels/mod.ts";
import { Layer } from "./module.ts";
import { conv2d, convTranspose2d } from "./ops/conv.ts";
import { unaryOp } from "./ops/elementwise.ts";
import { linear } from "./ops/linalg.ts";
import type { Tape } from "./tape.ts";
import type { Gpu, Tensor } from "../gpu/mod.ts";
import type { Rng } from "../lib/mod.ts";

/** A layer whose forward pass can run with a substitute weight (used by {@link SpectralNorm}). */
export interface WeightedLayer extends Layer {
  /** The trainable weight. */
  readonly weight: Tensor;
  /** The forward pass with `weight` in place of {@link WeightedLayer.weight}. */
  forwardWith(tape: Tape, x: Tensor, weight: Tensor): Tensor;
}

/** Initialisation options shared by the weighted layers. */
export interface InitOptions {
  /** Add a bias (default true). */
  bias?: boolean;
  /** Weight scale: standard deviation gain/√fanIn (default 1). */
  gain?: number;
}

/** Fully connected layer: x [..., in] · W [in, out] + b [out]. */
export class Linear extends Layer implements WeightedLayer {
  /** Weight [in, out]. */
  readonly weight: Tensor;
  /** Bias [out], or null. */
  readonly bias: Tensor | null;

  /** Creates the layer with weights drawn from `rng`. */
  constructor(gpu: Gpu, rng: Rng, inFeatures: number, outFeatures: number, opts: InitOptions = {}) {
    super();
    this.weight = this.addParameter(
      "weight",
      initWeight(gpu, rng, [inFeatures, outFeatures], inFeatures, opts.gain),
    );
    this.bias = opts.bias === false ? null : this.addParameter("bias", zeros(gpu, outFeatures));
  }

  /** Applies the layer. */
  forward(tape: Tape, x: Tensor): Tensor {
    return this.forwardWith(tape, x, this.weight);
  }

  /** Applies the layer with another weight. */
  forwardWith(tape: Tape, x: Tensor, weight: Tensor): Tensor {
    return linear(tape, x, weight, this.bias);
  }
}

/** Geometry of a convolution layer. */
export interface ConvLayerOptions extends InitOptions {
  /** Input channels. */
  inChannels: number;
  /** Output channels. */
  outChannels: number;
  /** Square kernel size. */
  kernel: number;
  /** Stride (default 1). */
  stride?: number;
  /** Zero padding (default 0). */
  padding?: number;
}

/** 2-D convolution on NHWC images, weight [K, K, Cin, Cout]. */
export class Conv2d extends Layer implements WeightedLayer {
  /** Weight [K, K, Cin, Cout]. */
  readonly weight: Tensor;
  /** Bias [Cout], or null. */
  readonly bias: Tensor | null;
  /** Stride. */
  readonly stride: number;
  /** Padding. */
  readonly padding: number;

  /** Creates the layer with weights drawn from `rng`. */
  constructor(gpu: Gpu, rng: Rng, opts: ConvLayerOptions) {
    super();
    const { inChannels: cin, outChannels: cout, kernel: k } = opts;
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? 0;
    this.weight = this.addParameter(
      "weight",
      initWeight(gpu, rng, [k, k, cin, cout], k * k * cin, opts.gain),
    );
    this.bias = opts.bias === false ? null : this.addParameter("bias", zeros(gpu, cout));
  }

  /** Applies the layer. */
  forward(tape: Tape, x: Tensor): Tensor {
    return this.forwardWith(tape, x, this.weight);
  }

  /** Applies the layer with another weight. */
  forwardWith(tape: Tape, x: Tensor, weight: Tensor): Tensor {
    return conv2d(tape, x, weight, this.bias, { stride: this.stride, padding: this.padding });
  }
}

/** Geometry of a transposed convolution layer. */
export interface ConvTransposeLayerOptions extends ConvLayerOptions {
  /** Extra output rows/columns (default 0). */
  outputPadding?: number;
}

/**
 * Transposed 2-D convolution on NHWC images, weight [K, K, Cout, Cin]. The init's fan-in is
 * Cin·⌈K/stride⌉², the inputs that reach one output.
 */
export class ConvTranspose2d extends Layer implements WeightedLayer {
  /** Weight [K, K, Cout, Cin]. */
  readonly weight: Tensor;
  /** Bias [Cout], or null. */
  readonly bias: Tensor | null;
  /** Stride. */
  readonly stride: number;
  /** Padding. */
  readonly padding: number;
  /** Output padding. */
  readonly outputPadding: number;

  /** Creates the layer with weights drawn from `rng`. */
  constructor(gpu: Gpu, rng: Rng, opts: ConvTransposeLayerOptions) {
    super();
    const { inChannels: cin, outChannels: cout, kernel: k } = opts;
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? 0;
    this.outputPadding = opts.outputPadding ?? 0;
    const reach = Math.ceil(k / this.stride);
    this.weight = this.addParameter(
      "weight",
      initWeight(gpu, rng, [k, k, cout, cin], reach * reach * cin, opts.gain),
    );
    this.bias = opts.bias === false ? null : this.addParameter("bias", zeros(gpu, cout));
  }

  /** Applies the layer. */
  forward(tape: Tape, x: Tensor): Tensor {
    return this.forwardWith(tape, x, this.weight);
  }

  /** Applies the layer with another weight. */
  forwardWith(tape: Tape, x: Tensor, weight: Tensor): Tensor {
    return convTranspose2d(tape, x, weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      outputPadding: this.outputPadding,
    });
  }
}

/** Activations available as layers. */
export type ActivationOp = Extract<
  UnaryOp,
  "relu" | "leaky_relu" | "tanh" | "sigmoid" | "softplus" | "abs" | "exp" | "square"
>;

/** An elementwise activation as a layer (`leaky_relu` takes its slope as `alpha`). */
export class Activation extends Layer {
  /** The kernel op. */
  readonly op: ActivationOp;
  /** The op's parameter (LeakyReLU slope). */
  readonly alpha: number | undefined;

  /** Creates the activation. */
  constructor(op: ActivationOp, alpha?: number) {
    super();
    this.op = op;
    this.alpha = op === "leaky_relu" ? alpha ?? 0.2 : alpha;
  }

  /** Applies the activation. */
  forward(tape: Tape, x: Tensor): Tensor {
    return unaryOp(tape, this.op, x, this.alpha);
  }
}

/** Multiplies by a constant, e.g. the output scale L of a Lipschitz-bounded network. */
export class Scale extends Layer {
  /** The factor. */
  readonly factor: number;

  /** Creates the layer. */
  constructor(factor: number) {
    super();
    this.factor = factor;
  }

  /** Applies the scale. */
  forward(tape: Tape, x: Tensor): Tensor {
    return unaryOp(tape, "scale", x, this.factor);
  }
}

function initWeight(
  gpu: Gpu,
  rng: Rng,
  shape: number[],
  fanIn: number,
  gain = 1,
): Tensor {
  const bound = gain * Math.sqrt(3 / Math.max(1, fanIn));
  const size = shape.reduce((a, b) => a * b, 1);
  return gpu.tensor(rng.uniformArray(size, -bound, bound), shape);
}

function zeros(gpu: Gpu, n: number): Tensor {
  return gpu.tensor(new Float32Array(n), [n]);
}
