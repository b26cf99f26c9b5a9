/**
 * A multi-layer perceptron fused into a few kernels (the MLP family of cGML: width 64, batch
 * 128, where one kernel per elementary op would mean ~590 dispatches per training step; fused,
 * ~130):
 * - forward: a workgroup takes 64 rows through every layer; an invocation computes a 16 × 16
 *   register tile (rows × outputs) of a layer at a time; LeakyReLU between layers, the output
 *   times the output scale L, optionally softplus on the last output column (Z's ρ);
 * - backward: the same blocking for the deltas and the input gradients, then one dispatch for
 *   the gradients of every weight and bias ([W; b] of a layer is one augmented matrix);
 * - spectral normalisation (optional): one dispatch computes σ of every layer (after one power
 *   iteration when asked, updating u and v), the forward uses W/σ, and one dispatch turns
 *   ∂/∂(W/σ) into ∂/∂W with u, v held constant, dW = (dWsn − ⟨dWsn, Wsn⟩ u vᵀ)/σ.
 * All weights and biases live in ONE parameter tensor, layer l as W_l [n_l, n_{l+1}] row-major
 * followed by b_l [n_{l+1}]. The input may be given as two tensors side by side (e.g. [h, z]).
 * The tape op is `nn/ops/fused_mlp.ts`, the layer `nn/fused_mlp.ts`.
 * @module
 */
import type { Gpu } from "../device.ts";
import { kernel, read, readWrite } from "../kernel.ts";
import { ceilDiv, grid1d } from "../params.ts";
import type { Tensor } from "../tensor.ts";
import {
  BACKWARD_WGSL,
  FORWARD_WGSL,
  FUSED_UNIFORMS,
  GRAD_WGSL,
  RB,
  SIGMA_WGSL,
  SN_GRAD_WGSL,
  T,
  WG,
} from "./fused_mlp_wgsl.ts";

/** Most layers a fused MLP may have. */
export const MAX_FUSED_LAYERS = 4;

/** Offsets of the flat layouts (parameters, saved pre-activations, u and v). */
export interface FusedLayout {
  sizes: readonly number[];
  wOff: number[];
  bOff: number[];
  aOff: number[];
  uOff: number[];
  vOff: number[];
  paramCount: number;
  actCount: number;
  uCount: number;
  vCount: number;
  /** First parameter-gradient tile of each layer, and the total at the end. */
  tileOffsets: number[];
}

/** Computes the flat layouts for layer sizes [n0, …, nL]. */
export function fusedLayout(sizes: readonly number[]): FusedLayout {
  const L = sizes.length - 1;
  if (L < 1 || L > MAX_FUSED_LAYERS || sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new RangeError(
      `Cannot build a fused MLP with sizes [${sizes}]: 1 to ${MAX_FUSED_LAYERS} layers of positive sizes`,
    );
  }
  const out: FusedLayout = {
    sizes: [...sizes],
    wOff: [],
    bOff: [],
    aOff: [],
    uOff: [],
    vOff: [],
    paramCount: 0,
    actCount: 0,
    uCount: 0,
    vCount: 0,
    tileOffsets: [0],
  };
  for (let l = 0; l < L; l++) {
    out.wOff.push(out.paramCount);
    out.paramCount += sizes[l] * sizes[l + 1];
    out.bOff.push(out.paramCount);
    out.paramCount += sizes[l + 1];
    out.aOff.push(out.actCount);
    out.actCount += sizes[l + 1];
    out.uOff.push(out.uCount);
    out.uCount += sizes[l];
    out.vOff.push(out.vCount);
    out.vCount += sizes[l + 1];
    const tiles = Math.ceil((sizes[l] + 1) / T) * Math.ceil(sizes[l + 1] / T);
    out.tileOffsets.push(out.tileOffsets[l] + tiles);
  }
  return out;
}

/** The fixed parts of a fused MLP that its kernels read from uniforms. */
export interface FusedMlpSpec {
  layout: FusedLayout;
  /** LeakyReLU slope between layers. */
  slope: number;
  /** Output scale L. */
  outputScale: number;
  /** Softplus on the last output column. */
  softplusLast: boolean;
  /** Whether the weights are spectrally normalised (σ divides every W). */
  spectralNorm: boolean;
}

/** The tensors of one fused MLP: flat parameters and, with spectral norm, u and v. */
export interface FusedMlpTensors {
  params: Tensor;
  u: Tensor | null;
  v: Tensor | null;
}

const vec4 = (xs: readonly number[]) => [0, 1, 2, 3].map((i) => xs[i] ?? 0);

/** Uniform values of a fused-MLP dispatch (see `FUSED_UNIFORMS`). */
function uniforms(spec: FusedMlpSpec, rows: number, na: number, nb: number, update = false) {
  const lay = spec.layout;
  const flags = (spec.spectralNorm ? 1 : 0) | (spec.softplusLast ? 2 : 0);
  return {
    dims: [rows, lay.sizes.length - 1, flags, lay.paramCount],
    n: [...vec4(lay.sizes.slice(0, 4)), ...vec4(lay.sizes.slice(4))],
    wOff: vec4(lay.wOff),
    aOff: vec4(lay.aOff),
    hOff: vec4(lay.uOff),
    tOff: vec4(lay.tileOffsets),
    m: [lay.uCount, lay.actCount, na, nb],
    f: [spec.slope, spec.outputScale, update ? 1 : 0, 0],
  };
}

const FORWARD = kernel({
  name: "cgml_fused_mlp_forward",
  bindings: {
    xa: read(),
    xb: read(),
    w: read(),
    sigma: read(),
    out: readWrite(),
    hs: readWrite(),
    pre: readWrite(),
  },
  uniforms: FUSED_UNIFORMS,
  key: () => "v2",
  body: () => FORWARD_WGSL,
});

const BACKWARD = kernel({
  name: "cgml_fused_mlp_backward",
  bindings: {
    dy: read(),
    hs: read(),
    pre: read(),
    w: read(),
    sigma: read(),
    deltas: readWrite(),
    dxa: readWrite(),
    dxb: readWrite(),
  },
  uniforms: FUSED_UNIFORMS,
  key: () => "v2",
  body: () => BACKWARD_WGSL,
});

const GRAD = kernel({
  name: "cgml_fused_mlp_grad",
  bindings: { hs: read(), deltas: read(), grad: readWrite() },
  uniforms: FUSED_UNIFORMS,
  key: () => "v2",
  body: () => GRAD_WGSL,
});

const SIGMA = kernel({
  name: "cgml_fused_mlp_sigma",
  bindings: { w: read(), u: readWrite(), v: readWrite(), sigma: readWrite() },
  uniforms: FUSED_UNIFORMS,
  key: () => "v2",
  body: () => SIGMA_WGSL,
});

const SN_GRAD = kernel({
  name: "cgml_fused_mlp_sn_grad",
  bindings: { w: read(), u: read(), v: read(), sigma: read(), grad: readWrite() },
  uniforms: FUSED_UNIFORMS,
  key: () => "v2",
  body: () => SN_GRAD_WGSL,
});

/** What the forward pass saves for the backward pass (owned by the caller). */
export interface FusedForward {
  /** The network's output [rows, n_L]. */
  out: Tensor;
  /** Layer inputs after activation [rows, Σ_{l<L} n_l]. */
  hs: Tensor;
  /** The output layer's pre-activation [rows, n_L]. */
  pre: Tensor;
}

/**
 * Records σ of every layer as a new [L] tensor (after one power iteration on u and v when
 * `update`). Needs spectral-norm vectors.
 */
export function fusedMlpSigma(
  gpu: Gpu,
  spec: FusedMlpSpec,
  t: FusedMlpTensors,
  update: boolean,
): Tensor {
  if (!t.u || !t.v) throw new RangeError("Cannot compute σ of a fused MLP without u and v");
  const L = spec.layout.sizes.length - 1;
  const sigma = gpu.empty([L]);
  SIGMA.run(gpu, {
    buffers: { w: t.params, u: t.u, v: t.v, sigma },
    uniforms: uniforms(spec, 0, 0, 0, update),
    workgroups: [L],
  });
  return sigma;
}

/**
 * Records the forward pass of rows `xa` [B, na] and `xb` [B, nb] side by side (`xb` null: nb =
 * 0) with per-layer `sigma` (read only under spectral norm). Returns new tensors.
 */
export function fusedMlpForward(
  gpu: Gpu,
  spec: FusedMlpSpec,
  params: Tensor,
  sigma: Tensor,
  xa: Tensor,
  xb: Tensor | null,
): FusedForward {
  const lay = spec.layout;
  const rows = xa.shape[0];
  const na = xa.shape[1];
  const nb = xb ? xb.shape[1] : 0;
  const nL = lay.sizes[lay.sizes.length - 1];
  const res = {
    out: gpu.empty([rows, nL]),
    hs: gpu.empty([rows, lay.uCount]),
    pre: gpu.empty([rows, nL]),
  };
  FORWARD.run(gpu, {
    buffers: { xa, xb: xb ?? xa, w: params, sigma, ...res },
    uniforms: uniforms(spec, rows, na, nb),
    workgroups: grid1d(ceilDiv(rows, RB)),
  });
  return res;
}

/** Input and parameter gradients of a fused forward pass (new tensors, null when not asked). */
export interface FusedGradients {
  dxa: Tensor;
  /** [B, max(nb, 1)]. */
  dxb: Tensor;
  params: Tensor | null;
}

/**
 * Records the backward pass of {@link fusedMlpForward} for `dy` [B, n_L]: the input gradients,
 * and the parameter gradient when `withParams` (through σ with u, v held under spectral norm).
 */
export function fusedMlpBackward(
  gpu: Gpu,
  spec: FusedMlpSpec,
  t: FusedMlpTensors,
  saved: FusedForward,
  sigma: Tensor,
  dy: Tensor,
  inputs: { na: number; nb: number },
  withParams: boolean,
): FusedGradients {
  const lay = spec.layout;
  const rows = dy.shape[0];
  const u = uniforms(spec, rows, inputs.na, inputs.nb);
  const deltas = gpu.empty([rows, lay.actCount]);
  const dxa = gpu.empty([rows, inputs.na]);
  const dxb = gpu.empty([rows, Math.max(inputs.nb, 1)]);
  BACKWARD.run(gpu, {
    buffers: { dy, hs: saved.hs, pre: saved.pre, w: t.params, sigma, deltas, dxa, dxb },
    uniforms: u,
    workgroups: grid1d(ceilDiv(rows, RB)),
  });
  let grad: Tensor | null = null;
  if (withParams) {
    grad = gpu.empty([lay.paramCount]);
    GRAD.run(gpu, {
      buffers: { hs: saved.hs, deltas, grad },
      uniforms: u,
      workgroups: grid1d(ceilDiv(lay.tileOffsets[lay.tileOffsets.length - 1], WG)),
    });
    if (spec.spectralNorm && t.u && t.v) {
      SN_GRAD.run(gpu, {
        buffers: { w: t.params, u: t.u, v: t.v, sigma, grad },
        uniforms: u,
        workgroups: [lay.sizes.length - 1],
      });
    }
  }
  deltas.dispose();
  return { dxa, dxb, params: grad };
}
