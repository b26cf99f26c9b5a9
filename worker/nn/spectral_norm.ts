/**
 * Spectral normalisation of a weighted layer (Miyato et al.): the layer runs with
 * L · W / σ(W), σ estimated by one power-iteration step per training forward pass; the
 * gradient goes through σ with u, v held constant. u and v are non-trainable state saved in
 * checkpoints. With the output scale L the layer's Lipschitz constant is at most L.
 *
 * The power step runs on tapes created with `training: true` (the default for recording
 * tapes). Record graphs that do not update this layer's weights, e.g. cGML's latent update
 * through a frozen G, on a tape with `training: false`: they then use σ = uᵀWv from the current
 * u, v, so the step still happens once per weight update.
 */
import { powerIteration } from "../gpu/kernels/mod.ts";
import type { WeightedLayer } from "./layers.ts";
import { Layer } from "./module.ts";
import { scale } from "./ops/elementwise.ts";
import { spectralNormalize } from "./ops/spectral.ts";
import type { Tape } from "./tape.ts";
import type { Gpu, Tensor } from "../gpu/mod.ts";
import type { Rng } from "../lib/mod.ts";

/** Options of {@link SpectralNorm}. */
export interface SpectralNormOptions {
  /** Output scale L: the weight used is L · W / σ (default 1). */
  scale?: number;
  /** Power-iteration steps run once at construction to start from a good σ (default 10). */
  warmup?: number;
}

/** Wraps a weighted layer so that it runs with its spectrally normalised weight. */
export class SpectralNorm extends Layer {
  /** The wrapped layer (its parameters appear under `layer.`). */
  readonly layer: WeightedLayer;
  /** Left singular vector estimate [rows]. */
  readonly u: Tensor;
  /** Right singular vector estimate [cols]. */
  readonly v: Tensor;
  /** Output scale L. */
  readonly scale: number;

  /**
   * Wraps `layer`, taking ownership of it. The weight is seen as the matrix
   * [prod(leading dims), last dim]; u and v start as random unit vectors from `rng`.
   */
  constructor(gpu: Gpu, rng: Rng, layer: WeightedLayer, opts: SpectralNormOptions = {}) {
    super();
    this.layer = this.addModule("layer", layer);
    this.scale = opts.scale ?? 1;
    const w = layer.weight;
    const cols = w.shape[w.rank - 1];
    const rows = w.size / cols;
    this.u = this.addState("u", gpu.tensor(unitVector(rng, rows), [rows]));
    this.v = this.addState("v", gpu.tensor(unitVector(rng, cols), [cols]));
    const w2 = w.reshape([rows, cols]);
    for (let i = 0; i < (opts.warmup ?? 10); i++) powerIteration(w2, this.u, this.v).dispose();
    w2.dispose();
  }

  /** Applies the wrapped layer with L · W / σ (updating u, v on a training tape). */
  forward(tape: Tape, x: Tensor): Tensor {
    return this.layer.forwardWith(tape, x, this.weight(tape));
  }

  /** The normalised, scaled weight, recorded on `tape`. */
  weight(tape: Tape): Tensor {
    const wsn = spectralNormalize(tape, this.layer.weight, this.u, this.v, {
      update: tape.training,
    });
    return this.scale === 1 ? wsn : scale(tape, wsn, this.scale);
  }
}

function unitVector(rng: Rng, n: number): Float32Array {
  const x = rng.normalArray(n);
  const norm = Math.hypot(...x) || 1;
  return x.map((v) => v / norm);
}
