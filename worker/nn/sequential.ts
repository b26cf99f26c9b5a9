/**
 * Chains of layers, and multi-layer perceptrons built from them.
 */
import { Activation, Linear, Scale } from "./layers.ts";
import { Layer } from "./module.ts";
import { SpectralNorm } from "./spectral_norm.ts";
import type { Tape } from "./tape.ts";
import type { Gpu, Tensor } from "../gpu/mod.ts";
import type { Rng } from "../lib/mod.ts";

/** Applies its layers in order; their tensors are named `0.`, `1.`, ... */
export class Sequential extends Layer {
  /** The layers. */
  readonly layers: readonly Layer[];

  /** Chains `layers`, taking ownership of them. */
  constructor(...layers: Layer[]) {
    super();
    this.layers = layers;
    layers.forEach((l, i) => this.addModule(String(i), l));
  }

  /** Applies every layer in turn. */
  forward(tape: Tape, x: Tensor): Tensor {
    let h = x;
    for (const l of this.layers) h = l.forward(tape, h);
    return h;
  }
}

/** Options of {@link mlp}. */
export interface MlpOptions {
  /** Slope of the LeakyReLU between layers (default 0.2; 0 gives ReLU). */
  slope?: number;
  /** Spectrally normalise every linear layer (default false). */
  spectralNorm?: boolean;
  /** Multiply the output by this factor, e.g. the Lipschitz bound L (default 1: none). */
  outputScale?: number;
}

/**
 * A perceptron with layer sizes `sizes` ([in, hidden..., out]), LeakyReLU between layers and
 * a linear output; weights use the LeakyReLU gain.
 */
export function mlp(
  gpu: Gpu,
  rng: Rng,
  sizes: readonly number[],
  opts: MlpOptions = {},
): Sequential {
  if (sizes.length < 2) throw new RangeError(`Cannot build an MLP from sizes [${sizes}]`);
  const slope = opts.slope ?? 0.2;
  const gain = Math.sqrt(2 / (1 + slope * slope));
  const layers: Layer[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const last = i + 2 === sizes.length;
    const lin = new Linear(gpu, rng, sizes[i], sizes[i + 1], { gain: last ? 1 : gain });
    layers.push(opts.spectralNorm ? new SpectralNorm(gpu, rng, lin) : lin);
    if (!last) {
      layers.push(slope === 0 ? new Activation("relu") : new Activation("leaky_relu", slope));
    }
  }
  if ((opts.outputScale ?? 1) !== 1) layers.push(new Scale(opts.outputScale!));
  return new Sequential(...layers);
}
