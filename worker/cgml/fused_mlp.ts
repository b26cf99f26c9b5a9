/**
 * A multi-layer perceptron fused into a few WGSL kernels, for the MLP family of cGML.
 *
 * The toy networks are tiny (width 64, batch 128), so a training step is bound by the number of
 * dispatches, not by arithmetic (DESIGN.md §2b: every dispatch costs tens of µs on the CPU
 * adapter). Built from the generic layers, one inner step of Algorithm 1 takes ~120
 * dispatches; with this op it takes ~30. The op is a differentiable tape op:
 * - forward: one invocation per row runs every layer (LeakyReLU between layers, the output
 *   times the output scale L, optionally softplus on the last output column — Z's ρ);
 * - backward: one per-row dispatch propagates the deltas and the input gradients, one dispatch
 *   over the flat parameter vector sums the weight and bias gradients over the batch;
 * - spectral normalisation (optional): one dispatch computes σ of every layer (one power
 *   iteration first on a training tape, updating u and v), the forward uses W/σ, and one
 *   dispatch turns ∂/∂(W/σ) into ∂/∂W with u, v held constant:
 *   dW = (dWsn − ⟨dWsn, Wsn⟩ u vᵀ)/σ (the same rule as `nn`'s SpectralNorm).
 * All weights and biases live in ONE parameter tensor (so Adam is one dispatch per network),
 * layer l as W_l [n_l, n_{l+1}] row-major followed by b_l [n_{l+1}]. The input may be given as
 * two tensors, concatenated along features (e.g. [h, z]) without a copy.
 * @module
 */
import type { Gpu } from "../gpu/device.ts";
import { ceilDiv, grid1d, Params } from "../gpu/params.ts";
import type { Rng } from "../gpu/rng.ts";
import type { Tensor } from "../gpu/tensor.ts";
import { Layer, type Tape } from "../nn/mod.ts";

/** Most layers a fused MLP may have. */
export const MAX_FUSED_LAYERS = 4;
const WG = 64;
const EPS = 1e-12;

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
  /** Power-iteration steps at construction (default 10, as `nn`'s SpectralNorm). */
  warmup?: number;
}

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
  }
  return out;
}

const vec4 = (xs: number[]) => [0, 1, 2, 3].map((i) => xs[i] ?? 0);

const STRUCT = `
struct P {
  dims: vec4<u32>,
  n: array<vec4<u32>, 2>,
  wOff: vec4<u32>,
  bOff: vec4<u32>,
  aOff: vec4<u32>,
  uv: array<vec4<u32>, 2>,
  f: vec4<f32>,
}
fn nAt(l: u32) -> u32 { return p.n[l / 4u][l % 4u]; }
fn lrelu(x: f32) -> f32 { return select(p.f.x * x, x, x > 0.0); }
fn lreluGrad(x: f32) -> f32 { return select(p.f.x, 1.0, x > 0.0); }
`;
const INV_SIGMA = `fn invSigma(l: u32) -> f32 { return select(1.0, 1.0 / sigma[l], p.dims.w != 0u); }`;

const HEADER = `@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let gi = (wid.x + wid.y * nwg.x) * ${WG}u + lid;`;

function forwardWgsl(maxw: number): string {
  return `
@group(0) @binding(0) var<storage, read> xa: array<f32>;
@group(0) @binding(1) var<storage, read> xb: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> sigma: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<storage, read_write> acts: array<f32>;
@group(0) @binding(6) var<uniform> p: P;
${STRUCT}
${INV_SIGMA}
${HEADER}
  let rows = p.dims.x;
  let L = p.dims.y;
  let na = p.uv[1].z;
  let nb = p.uv[1].w;
  let aTotal = p.uv[1].y;
  if (gi >= rows) { return; }
  var cur: array<f32, ${maxw}>;
  var nxt: array<f32, ${maxw}>;
  for (var i = 0u; i < na; i++) { cur[i] = xa[gi * na + i]; }
  for (var i = 0u; i < nb; i++) { cur[na + i] = xb[gi * nb + i]; }
  for (var l = 0u; l < L; l++) {
    let nin = nAt(l);
    let nout = nAt(l + 1u);
    let inv = invSigma(l);
    let wo = p.wOff[l];
    let bo = p.bOff[l];
    let ao = gi * aTotal + p.aOff[l];
    let hidden = l + 1u < L;
    for (var j = 0u; j < nout; j++) {
      var s = 0.0;
      for (var i = 0u; i < nin; i++) { s += cur[i] * w[wo + i * nout + j]; }
      s = s * inv + w[bo + j];
      acts[ao + j] = s;
      nxt[j] = select(s, lrelu(s), hidden);
    }
    for (var j = 0u; j < nout; j++) { cur[j] = nxt[j]; }
  }
  let nL = nAt(L);
  for (var j = 0u; j < nL; j++) {
    var v = p.f.y * cur[j];
    if (p.f.z != 0.0 && j + 1u == nL) { v = max(v, 0.0) + log(1.0 + exp(-abs(v))); }
    out[gi * nL + j] = v;
  }
}`;
}

function backwardWgsl(maxw: number): string {
  return `
@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> acts: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> sigma: array<f32>;
@group(0) @binding(4) var<storage, read_write> deltas: array<f32>;
@group(0) @binding(5) var<storage, read_write> dxa: array<f32>;
@group(0) @binding(6) var<storage, read_write> dxb: array<f32>;
@group(0) @binding(7) var<uniform> p: P;
${STRUCT}
${INV_SIGMA}
${HEADER}
  let rows = p.dims.x;
  let L = p.dims.y;
  let na = p.uv[1].z;
  let nb = p.uv[1].w;
  let aTotal = p.uv[1].y;
  if (gi >= rows) { return; }
  var d: array<f32, ${maxw}>;
  var e: array<f32, ${maxw}>;
  let nL = nAt(L);
  let lastA = gi * aTotal + p.aOff[L - 1u];
  for (var j = 0u; j < nL; j++) {
    var g = dy[gi * nL + j] * p.f.y;
    if (p.f.z != 0.0 && j + 1u == nL) {
      g *= 1.0 / (1.0 + exp(-p.f.y * acts[lastA + j]));
    }
    d[j] = g;
    deltas[lastA + j] = g;
  }
  for (var k = 0u; k < L; k++) {
    let l = L - 1u - k;
    let nin = nAt(l);
    let nout = nAt(l + 1u);
    let inv = invSigma(l);
    let wo = p.wOff[l];
    for (var i = 0u; i < nin; i++) {
      var s = 0.0;
      for (var j = 0u; j < nout; j++) { s += w[wo + i * nout + j] * d[j]; }
      s *= inv;
      if (l > 0u) {
        let ai = gi * aTotal + p.aOff[l - 1u] + i;
        s *= lreluGrad(acts[ai]);
        deltas[ai] = s;
        e[i] = s;
      } else if (i < na) {
        dxa[gi * na + i] = s;
      } else {
        dxb[gi * nb + i - na] = s;
      }
    }
    for (var i = 0u; i < nin; i++) { d[i] = e[i]; }
  }
}`;
}

const GRAD_WGSL = `
@group(0) @binding(0) var<storage, read> xa: array<f32>;
@group(0) @binding(1) var<storage, read> xb: array<f32>;
@group(0) @binding(2) var<storage, read> acts: array<f32>;
@group(0) @binding(3) var<storage, read> deltas: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;
@group(0) @binding(5) var<uniform> p: P;
${STRUCT}
fn hin(l: u32, b: u32, i: u32) -> f32 {
  let na = p.uv[1].z;
  if (l == 0u) {
    if (i < na) { return xa[b * na + i]; }
    return xb[b * p.uv[1].w + i - na];
  }
  return lrelu(acts[b * p.uv[1].y + p.aOff[l - 1u] + i]);
}
${HEADER}
  let rows = p.dims.x;
  let L = p.dims.y;
  let aTotal = p.uv[1].y;
  if (gi >= p.uv[1].x) { return; }
  for (var l = 0u; l < L; l++) {
    let nin = nAt(l);
    let nout = nAt(l + 1u);
    let wo = p.wOff[l];
    let bo = p.bOff[l];
    if (gi >= wo && gi < bo) {
      let i = (gi - wo) / nout;
      let j = (gi - wo) % nout;
      var s = 0.0;
      for (var b = 0u; b < rows; b++) { s += hin(l, b, i) * deltas[b * aTotal + p.aOff[l] + j]; }
      grad[gi] = s;
      return;
    }
    if (gi >= bo && gi < bo + nout) {
      let j = gi - bo;
      var s = 0.0;
      for (var b = 0u; b < rows; b++) { s += deltas[b * aTotal + p.aOff[l] + j]; }
      grad[gi] = s;
      return;
    }
  }
}`;

const SN_SHARED = `
var<workgroup> part: array<f32, ${WG}>;
fn total(x: f32, lid: u32) -> f32 {
  part[lid] = x;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s >>= 1u) {
    if (lid < s) { part[lid] += part[lid + s]; }
    workgroupBarrier();
  }
  let r = part[0];
  workgroupBarrier();
  return r;
}
fn uOff(l: u32) -> u32 { return p.uv[0][l]; }
`;

const SIGMA_WGSL = `
@group(0) @binding(0) var<storage, read> w: array<f32>;
@group(0) @binding(1) var<storage, read_write> u: array<f32>;
@group(0) @binding(2) var<storage, read_write> v: array<f32>;
@group(0) @binding(3) var<storage, read_write> sigma: array<f32>;
@group(0) @binding(4) var<uniform> p: P;
${STRUCT}
${SN_SHARED}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let l = wid.x;
  let rows = nAt(l);
  let cols = nAt(l + 1u);
  let wo = p.wOff[l];
  let uo = uOff(l);
  let vo = p.aOff[l];
  if (p.f.w == 0.0) {
    var acc = 0.0;
    for (var i = lid; i < rows; i += ${WG}u) {
      var s = 0.0;
      for (var j = 0u; j < cols; j++) { s += w[wo + i * cols + j] * v[vo + j]; }
      acc += u[uo + i] * s;
    }
    let sig = total(acc, lid);
    if (lid == 0u) { sigma[l] = sig; }
    return;
  }
  var ss = 0.0;
  for (var j = lid; j < cols; j += ${WG}u) {
    var s = 0.0;
    for (var i = 0u; i < rows; i++) { s += w[wo + i * cols + j] * u[uo + i]; }
    v[vo + j] = s;
    ss += s * s;
  }
  let vinv = 1.0 / max(sqrt(total(ss, lid)), ${EPS});
  for (var j = lid; j < cols; j += ${WG}u) { v[vo + j] *= vinv; }
  storageBarrier();
  workgroupBarrier();
  ss = 0.0;
  for (var i = lid; i < rows; i += ${WG}u) {
    var s = 0.0;
    for (var j = 0u; j < cols; j++) { s += w[wo + i * cols + j] * v[vo + j]; }
    u[uo + i] = s;
    ss += s * s;
  }
  let norm = sqrt(total(ss, lid));
  let uinv = 1.0 / max(norm, ${EPS});
  for (var i = lid; i < rows; i += ${WG}u) { u[uo + i] *= uinv; }
  if (lid == 0u) { sigma[l] = norm * norm * uinv; }
}`;

const SN_GRAD_WGSL = `
@group(0) @binding(0) var<storage, read> w: array<f32>;
@group(0) @binding(1) var<storage, read> u: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read> sigma: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;
@group(0) @binding(5) var<uniform> p: P;
${STRUCT}
${SN_SHARED}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let l = wid.x;
  let rows = nAt(l);
  let cols = nAt(l + 1u);
  let n = rows * cols;
  let wo = p.wOff[l];
  let uo = uOff(l);
  let vo = p.aOff[l];
  var acc = 0.0;
  for (var e = lid; e < n; e += ${WG}u) { acc += grad[wo + e] * w[wo + e]; }
  let c = total(acc, lid) / sigma[l];
  for (var e = lid; e < n; e += ${WG}u) {
    let i = e / cols;
    let j = e % cols;
    grad[wo + e] = (grad[wo + e] - c * u[uo + i] * v[vo + j]) / sigma[l];
  }
}`;

/** A fused MLP layer (see the module doc); parameters "params", spectral-norm state "u", "v". */
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
  readonly #gpu: Gpu;
  readonly #maxw: number;

  /**
   * Creates the network with weights drawn from `rng` like `nn`'s `mlp`: U(±g·√(3/fanIn)),
   * g = √(2/(1 + slope²)) for hidden layers and 1 for the output layer; zero biases.
   */
  constructor(gpu: Gpu, rng: Rng, sizes: readonly number[], opts: FusedMlpOptions = {}) {
    super();
    this.#gpu = gpu;
    this.sizes = [...sizes];
    this.layout = fusedLayout(sizes);
    this.slope = opts.slope ?? 0.2;
    this.outputScale = opts.outputScale ?? 1;
    this.softplusLast = opts.softplusLast ?? false;
    this.#maxw = Math.ceil(Math.max(...sizes) / 16) * 16;
    const values = new Float32Array(this.layout.paramCount);
    const gain = Math.sqrt(2 / (1 + this.slope * this.slope));
    for (let l = 0; l + 1 < sizes.length; l++) {
      const g = l + 2 === sizes.length ? 1 : gain;
      const bound = g * Math.sqrt(3 / sizes[l]);
      const n = sizes[l] * sizes[l + 1];
      values.set(rng.uniformArray(n, -bound, bound), this.layout.wOff[l]);
    }
    this.params = this.addParameter("params", gpu.tensor(values, [this.layout.paramCount]));
    if (opts.spectralNorm) {
      const unit = (offsets: number[], count: number, dims: number[]) => {
        const out = new Float32Array(count);
        offsets.forEach((o, l) => {
          const x = rng.normalArray(dims[l]);
          const norm = Math.hypot(...x) || 1;
          out.set(x.map((s) => s / norm), o);
        });
        return out;
      };
      const L = sizes.length - 1;
      this.u = this.addState(
        "u",
        gpu.tensor(unit(this.layout.uOff, this.layout.uCount, sizes.slice(0, L)), [this.layout.uCount]),
      );
      this.v = this.addState(
        "v",
        gpu.tensor(unit(this.layout.vOff, this.layout.vCount, sizes.slice(1)), [this.layout.vCount]),
      );
      for (let i = 0; i < (opts.warmup ?? 10); i++) this.#sigma(true).dispose();
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
    const gpu = this.#gpu;
    const rows = xa.shape[0];
    const na = xa.shape[1];
    const nb = xb ? xb.shape[1] : 0;
    if (
      xa.rank !== 2 || (xb && (xb.rank !== 2 || xb.shape[0] !== rows)) ||
      na + nb !== this.sizes[0]
    ) {
      throw new RangeError(
        `Cannot apply a fused MLP of input size ${this.sizes[0]} to [${xa.shape}]${
          xb ? ` and [${xb.shape}]` : ""
        }`,
      );
    }
    const nL = this.sizes[this.sizes.length - 1];
    const sigma = this.u ? tape.own(this.#sigma(tape.training)) : tape.own(gpu.zeros([1]));
    const acts = tape.own(gpu.empty([rows, this.layout.actCount]));
    const out = gpu.empty([rows, nL]);
    const uniforms = this.#params(rows, na, nb);
    gpu.run({
      name: "cgml_fused_mlp_forward",
      key: `w${this.#maxw}`,
      source: () => forwardWgsl(this.#maxw),
      buffers: [xa, xb ?? xa, this.params, sigma, out, acts],
      params: uniforms,
      workgroups: grid1d(ceilDiv(rows, WG)),
    });
    const inputs = xb ? [xa, xb, this.params] : [xa, this.params];
    return tape.record("fusedMlp", inputs, out, (dy, needs) => {
      const deltas = gpu.empty([rows, this.layout.actCount]);
      const dxa = gpu.empty([rows, na]);
      const dxb = gpu.empty([rows, Math.max(nb, 1)]);
      gpu.run({
        name: "cgml_fused_mlp_backward",
        key: `w${this.#maxw}`,
        source: () => backwardWgsl(this.#maxw),
        buffers: [dy, acts, this.params, sigma, deltas, dxa, dxb],
        params: uniforms,
        workgroups: grid1d(ceilDiv(rows, WG)),
      });
      const wantParams = needs[needs.length - 1];
      const grad = wantParams ? this.#paramGrad(xa, xb ?? xa, acts, deltas, sigma, uniforms) : null;
      deltas.dispose();
      const keep = (t: Tensor, need: boolean) => {
        if (need) return t;
        t.dispose();
        return null;
      };
      const da = keep(dxa, needs[0]);
      if (!xb) {
        dxb.dispose();
        return [da, grad];
      }
      return [da, keep(dxb, needs[1]), grad];
    });
  }

  #paramGrad(
    xa: Tensor,
    xb: Tensor,
    acts: Tensor,
    deltas: Tensor,
    sigma: Tensor,
    uniforms: ArrayBuffer,
  ): Tensor {
    const gpu = this.#gpu;
    const grad = gpu.empty([this.layout.paramCount]);
    gpu.run({
      name: "cgml_fused_mlp_grad",
      key: "v1",
      source: () => GRAD_WGSL,
      buffers: [xa, xb, acts, deltas, grad],
      params: uniforms,
      workgroups: grid1d(ceilDiv(this.layout.paramCount, WG)),
    });
    if (this.u && this.v) {
      gpu.run({
        name: "cgml_fused_mlp_sn_grad",
        key: "v1",
        source: () => SN_GRAD_WGSL,
        buffers: [this.params, this.u, this.v, sigma, grad],
        params: this.#params(0, 0, 0),
        workgroups: [this.sizes.length - 1],
      });
    }
    return grad;
  }

  /** σ of every layer [L] (after one power iteration when `update`). */
  #sigma(update: boolean): Tensor {
    const gpu = this.#gpu;
    const sigma = gpu.empty([this.sizes.length - 1]);
    gpu.run({
      name: "cgml_fused_mlp_sigma",
      key: "v1",
      source: () => SIGMA_WGSL,
      buffers: [this.params, this.u!, this.v!, sigma],
      params: this.#params(0, 0, 0, update),
      workgroups: [this.sizes.length - 1],
    });
    return sigma;
  }

  /**
   * Uniforms: dims (rows, L, _, spectral norm), n (sizes), wOff, bOff, aOff (for the σ
   * kernels: vOff), uv ([uOff], [paramCount, actCount, na, nb]), f (slope, scale,
   * softplusLast, update).
   */
  #params(rows: number, na: number, nb: number, update = false): ArrayBuffer {
    const lay = this.layout;
    const L = this.sizes.length - 1;
    const sn = this.u !== null;
    const b = new Params(40).u32(rows).u32(L).u32(0).u32(sn ? 1 : 0);
    for (const n of [...vec4(this.sizes.slice(0, 4)), ...vec4(this.sizes.slice(4))]) b.u32(n);
    for (const o of [...vec4(lay.wOff), ...vec4(lay.bOff)]) b.u32(o);
    for (const o of vec4(rows === 0 ? lay.vOff : lay.aOff)) b.u32(o);
    for (const o of [...vec4(lay.uOff), lay.paramCount, lay.actCount, na, nb]) b.u32(o);
    return b.f32(this.slope).f32(this.outputScale).f32(this.softplusLast ? 1 : 0)
      .f32(update ? 1 : 0).build();
  }
}

/** Options of {@link fusedMlpRef}. */
export interface FusedMlpRefOptions {
  /** LeakyReLU slope. */
  slope: number;
  /** Output scale L. */
  scale: number;
  /** Softplus on the last output column. */
  softplusLast: boolean;
  /** Spectral-norm vectors (flat, as {@link FusedMlp.u}/{@link FusedMlp.v}); none: no norm. */
  u?: ArrayLike<number>;
  v?: ArrayLike<number>;
}

/**
 * CPU reference (float64) of the fused forward pass: `rows` rows of `x` (inputs already side
 * by side) through the network with flat parameters `w`; σ_l = u_lᵀ W_l v_l when u, v given.
 */
export function fusedMlpRef(
  sizes: readonly number[],
  w: ArrayLike<number>,
  x: ArrayLike<number>,
  rows: number,
  o: FusedMlpRefOptions,
): Float64Array {
  const lay = fusedLayout(sizes);
  const L = sizes.length - 1;
  const sig = Array.from({ length: L }, (_, l) => {
    if (!o.u || !o.v) return 1;
    let s = 0;
    for (let i = 0; i < sizes[l]; i++) {
      for (let j = 0; j < sizes[l + 1]; j++) {
        s += o.u[lay.uOff[l] + i] * w[lay.wOff[l] + i * sizes[l + 1] + j] * o.v[lay.vOff[l] + j];
      }
    }
    return s;
  });
  const nL = sizes[L];
  const out = new Float64Array(rows * nL);
  for (let r = 0; r < rows; r++) {
    let h = Array.from({ length: sizes[0] }, (_, i) => x[r * sizes[0] + i]);
    for (let l = 0; l < L; l++) {
      const next: number[] = [];
      for (let j = 0; j < sizes[l + 1]; j++) {
        let s = 0;
        for (let i = 0; i < sizes[l]; i++) s += h[i] * w[lay.wOff[l] + i * sizes[l + 1] + j];
        s = s / sig[l] + w[lay.bOff[l] + j];
        next.push(l + 1 < L ? (s > 0 ? s : o.slope * s) : s);
      }
      h = next;
    }
    for (let j = 0; j < nL; j++) {
      const v = o.scale * h[j];
      out[r * nL + j] = o.softplusLast && j === nL - 1 ? Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))) : v;
    }
  }
  return out;
}
