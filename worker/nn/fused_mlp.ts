/**
 * The fused MLP as a layer: its weights, the spectral-norm state and initialisation (the op is
 * `ops/fused_mlp.ts`, the kernels `gpu/kernels/fused_mlp.ts`). Parameters "params" (every
 * weight and bias in one tensor, so Adam is one dispatch per network), state "u", "v".
 * @module
 */
import {
  type FusedLayout,
  fusedLayout,
  fusedMlpSigma,
  type FusedMlpSpec,
} from "../gpu/kernels/mod.ts";
import type { Gpu, Tensor } from "../gpu/mod.ts";
import type { Rng } from "../lib/mod.ts";
import { Layer } from "./module.ts";
import { fusedMlp } from "./ops/fused_mlp.ts";
import type { Tape } from "./tape.ts";

/** Options of {@link FusedMlp}. */
export interface FusedMlpOptions {
  /** LeakyReLU slope between layers (default 0.2). */
  slope?: number;
  /** Spectrally normalise every weight matrix (default false). */
  spectralNorm?: boolean;
  /** Output scale L (default 1). */
  outputScale?: number;
  /** Apply softplus to the last output column after the scale (default false). */
  softplusLast?: boolean;
  /** Power-iteration steps at construction (default 10, as the SpectralNorm layer). */
  warmup?: number;
}

/** A fused MLP layer (see the module documentation). */
export class FusedMlp extends Layer {
  /** Layer sizes [n0, …, nL]. */
  readonly sizes: readonly number[];
  /** Flat layouts. */
  readonly layout: FusedLayout;
  /** All weights and biases. */
  readonly params: Tensor;
  /** Left singular vectors of every layer (spectral norm), or null. */
  readonly u: Tensor | null;
  /** Right singular vectors of every layer (spectral norm), or null. */
  readonly v: Tensor | null;
  /** LeakyReLU slope. */
  readonly slope: number;
  /** Output scale L. */
  readonly outputScale: number;
  /** Whether the last output column goes through softplus. */
  readonly softplusLast: boolean;
  readonly #spec: FusedMlpSpec;

  /**
   * Creates the network with weights drawn from `rng` like `mlp`: U(±g·√(3/fanIn)),
   * g = √(2/(1 + slope²)) for hidden layers and 1 for the output layer; zero biases.
   */
  constructor(gpu: Gpu, rng: Rng, sizes: readonly number[], opts: FusedMlpOptions = {}) {
    super();
    this.sizes = [...sizes];
    this.layout = fusedLayout(sizes);
    this.slope = opts.slope ?? 0.2;
    this.outputScale = opts.outputScale ?? 1;
    this.softplusLast = opts.softplusLast ?? false;
    this.#spec = {
      layout: this.layout,
      slope: this.slope,
      outputScale: this.outputScale,
      softplusLast: this.softplusLast,
      spectralNorm: Boolean(opts.spectralNorm),
    };
    const L = sizes.length - 1;
    const values = new Float32Array(this.layout.paramCount);
    const gain = Math.sqrt(2 / (1 + this.slope * this.slope));
    for (let l = 0; l < L; l++) {
      const g = l + 1 === L ? 1 : gain;
      const bound = g * Math.sqrt(3 / sizes[l]);
      values.set(rng.uniformArray(sizes[l] * sizes[l + 1], -bound, bound), this.layout.wOff[l]);
    }
    this.params = this.addParameter("params", gpu.tensor(values, [this.layout.paramCount]));
    if (opts.spectralNorm) {
      const unit = (offsets: number[], count: number, dims: readonly number[]) => {
        const out = new Float32Array(count);
        offsets.forEach((o, l) => {
          const x = rng.normalArray(dims[l]);
          const norm = Math.hypot(...x) || 1;
          out.set(x.map((s) => s / norm), o);
        });
        return out;
      };
      const { uOff, uCount, vOff, vCount } = this.layout;
      this.u = this.addState("u", gpu.tensor(unit(uOff, uCount, sizes.slice(0, L)), [uCount]));
      this.v = this.addState("v", gpu.tensor(unit(vOff, vCount, sizes.slice(1)), [vCount]));
      for (let i = 0; i < (opts.warmup ?? 10); i++) {
        fusedMlpSigma(gpu, this.#spec, this, true).dispose();
      }
    } else {
      this.u = null;
      this.v = null;
    }
  }

  /** Applies the network to one input (see {@link FusedMlp.forwardPair} for two). */
  forward(tape: Tape, x: Tensor): Tensor {
    return this.forwardPair(tape, x, null);
  }

  /** Applies the network to the features of `xa` and `xb` side by side ([B, na + nb]). */
  forwardPair(tape: Tape, xa: Tensor, xb: Tensor | null): Tensor {
    return fusedMlp(tape, this.#spec, this, xa, xb);
  }
}
