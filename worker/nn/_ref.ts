/**
 * Float64 CPU reference networks for the gradient checks (internal): runs any network built
 * from this package's layers on the CPU, with parameter values supplied per tensor so that
 * finite differences can perturb them. Built on the kernels' `*_ref.ts` functions.
 */
import type { Gpu } from "../gpu/device.ts";
import { conv2dRef, convTranspose2dRef } from "../gpu/kernels/conv_ref.ts";
import {
  convGeometry,
  convOutputShape,
  convTransposeOutputShape,
} from "../gpu/kernels/conv_shape.ts";
import { binaryRef, type RefTensor, unaryRef } from "../gpu/kernels/elementwise_ref.ts";
import { matmulRef } from "../gpu/kernels/matmul_ref.ts";
import { concatRef } from "../gpu/kernels/shape_ref.ts";
import { powerIterationRef } from "../gpu/kernels/spectral_norm_ref.ts";
import type { Tensor } from "../gpu/tensor.ts";
import { checkGradients, type CheckInput } from "./_testing.ts";
import {
  Activation,
  Conv2d,
  ConvTranspose2d,
  Linear,
  Scale,
  type WeightedLayer,
} from "./layers.ts";
import type { Module } from "./module.ts";
import { Sequential } from "./sequential.ts";
import { SpectralNorm } from "./spectral_norm.ts";
import type { Tape } from "./tape.ts";
import { UNetDecoder, UNetEncoder } from "./unet.ts";

export type { RefTensor };

/** Parameter values by tensor, plus the (constant) u, v of every spectral-norm wrapper. */
export interface RefParams {
  /** Values of parameter tensors. */
  values: Map<Tensor, Float64Array>;
  /** u, v used by each spectral-norm layer during the forward pass being checked. */
  vectors: Map<SpectralNorm, { u: Float64Array; v: Float64Array }>;
}

/** Every spectral-norm wrapper inside `m`. */
export function spectralLayers(m: Module): SpectralNorm[] {
  if (m instanceof SpectralNorm) return [m];
  return m.children().flatMap(spectralLayers);
}

/**
 * The u, v each spectral-norm layer of `m` will use in its next forward pass: after one power
 * step from the current ones on a training pass, the current ones otherwise.
 */
export async function spectralVectors(
  m: Module,
  training: boolean,
): Promise<Map<SpectralNorm, { u: Float64Array; v: Float64Array }>> {
  const out = new Map<SpectralNorm, { u: Float64Array; v: Float64Array }>();
  for (const sn of spectralLayers(m)) {
    const [w, u, v] = await Promise.all([sn.layer.weight.read(), sn.u.read(), sn.v.read()]);
    if (!training) {
      out.set(sn, { u: Float64Array.from(u), v: Float64Array.from(v) });
      continue;
    }
    const cols = sn.v.size;
    const step = powerIterationRef(w, w.length / cols, cols, u);
    out.set(sn, { u: step.u, v: step.v });
  }
  return out;
}

/** Runs a single-input layer on the CPU in float64. */
export function layerRef(m: Module, x: RefTensor, p: RefParams): RefTensor {
  if (m instanceof Sequential) return m.layers.reduce((h, l) => layerRef(l, h, p), x);
  if (m instanceof SpectralNorm) {
    const w = m.layer.weight;
    const { u, v } = p.vectors.get(m)!;
    const wv = p.values.get(w)!;
    const cols = w.shape[w.rank - 1];
    let sigma = 0;
    for (let i = 0; i < u.length; i++) {
      for (let j = 0; j < cols; j++) sigma += u[i] * wv[i * cols + j] * v[j];
    }
    return weightedRef(m.layer, x, wv.map((e) => (m.scale * e) / sigma), p);
  }
  if (m instanceof Linear || m instanceof Conv2d || m instanceof ConvTranspose2d) {
    return weightedRef(m, x, p.values.get(m.weight)!, p);
  }
  if (m instanceof Activation) {
    return { data: unaryRef(m.op, x.data, m.alpha ?? 0), shape: x.shape };
  }
  if (m instanceof Scale) return { data: unaryRef("scale", x.data, m.factor), shape: x.shape };
  throw new Error(`Cannot run a CPU reference of ${m.constructor.name}`);
}

/** The CPU reference of {@link UNetEncoder.forward}. */
export function encoderRef(e: UNetEncoder, x: RefTensor, p: RefParams): RefTensor[] {
  const feats: RefTensor[] = [];
  let h = x;
  for (const b of e.blocks) feats.push(h = layerRef(b, h, p));
  return feats;
}

/** The CPU reference of {@link UNetDecoder.forward}. */
export function decoderRef(
  d: UNetDecoder,
  feats: RefTensor[],
  extra: RefTensor | null,
  p: RefParams,
): RefTensor {
  const n = feats.length;
  let h = extra ? concatRef([feats[n - 1], extra], 3) : feats[n - 1];
  d.blocks.forEach((block, i) => {
    if (i > 0 && d.skips) h = concatRef([h, feats[n - 1 - i]], 3);
    h = layerRef(block, h, p);
  });
  return h;
}

function weightedRef(m: WeightedLayer, x: RefTensor, w: Float64Array, p: RefParams): RefTensor {
  let y: RefTensor;
  const ws = m.weight.shape;
  if (m instanceof Linear) {
    const rows = x.data.length / ws[0];
    y = { data: matmulRef(x.data, [rows, ws[0]], w, ws), shape: [...x.shape.slice(0, -1), ws[1]] };
  } else if (m instanceof Conv2d) {
    const o = { stride: m.stride, padding: m.padding };
    const shape = convOutputShape(convGeometry("conv2d", x.shape, ws, o));
    y = { data: conv2dRef(x.data, x.shape, w, ws, o), shape };
  } else if (m instanceof ConvTranspose2d) {
    const o = { stride: m.stride, padding: m.padding, outputPadding: m.outputPadding };
    const shape = convTransposeOutputShape("convTranspose2d", x.shape, ws, o);
    y = { data: convTranspose2dRef(x.data, x.shape, w, ws, o), shape };
  } else {
    throw new Error(`Cannot run a CPU reference of ${m.constructor.name}`);
  }
  const bias = (m as Linear | Conv2d | ConvTranspose2d).bias;
  if (!bias) return y;
  return binaryRef("add", y.data, y.shape, p.values.get(bias)!, [bias.size]);
}

/** A gradient check of a module: inputs and every parameter, against the CPU reference. */
export interface ModuleCheck {
  /** Name used in failure messages. */
  name: string;
  /** The module whose parameters are differentiated. */
  module: Module;
  /** The forward pass's inputs. */
  inputs: CheckInput[];
  /** Records the forward pass. */
  forward: (tape: Tape, xs: Tensor[]) => Tensor;
  /** Its CPU reference. */
  ref: (xs: RefTensor[], p: RefParams) => RefTensor;
  /** Training pass (spectral-norm power step) or not (default true). */
  training?: boolean;
  /** Most elements checked per tensor (default 24). */
  maxChecks?: number;
}

/** Runs {@link checkGradients} over the inputs and all parameters of a module. */
export async function checkModule(gpu: Gpu, c: ModuleCheck): Promise<void> {
  const training = c.training ?? true;
  const params = c.module.parameters().map((p) => p.tensor);
  const vectors = await spectralVectors(c.module, training);
  const nIn = c.inputs.length;
  await checkGradients(gpu, {
    name: c.name,
    inputs: c.inputs,
    extra: params,
    training,
    maxChecks: c.maxChecks ?? 24,
    op: (tape, xs) => c.forward(tape, xs.slice(0, nIn)),
    ref: (vals) => {
      const values = new Map(params.map((t, i) => [t, vals[nIn + i]]));
      const xs = c.inputs.map((x, i) => ({ data: vals[i], shape: x.shape }));
      return c.ref(xs, { values, vectors }).data;
    },
  });
}
