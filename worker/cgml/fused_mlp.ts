/**
 * A multi-layer perceptron fused into a few WGSL kernels, for the MLP family of cGML.
 *
 * The toy networks are tiny (width 64, batch 128): built from the generic layers, one training
 * step of Algorithm 1 records ~590 dispatches (matmul, bias, activation, concat, slice, their
 * gradients, one Adam kernel per tensor); with this op it records ~130. It is a differentiable
 * tape op:
 * - forward: a workgroup takes 64 rows through every layer; an invocation computes a 16 × 16
 *   register tile (rows × outputs) of a layer at a time; LeakyReLU between layers, the output
 *   times the output scale L, optionally softplus on the last output column (Z's ρ);
 * - backward: the same blocking for the deltas and the input gradients, then one dispatch for
 *   the gradients of every weight and bias ([W; b] of a layer is one augmented matrix);
 * - spectral normalisation (optional): one dispatch computes σ of every layer (after one power
 *   iteration on a training tape, updating u and v), the forward uses W/σ, and one dispatch
 *   turns ∂/∂(W/σ) into ∂/∂W with u, v held constant, dW = (dWsn − ⟨dWsn, Wsn⟩ u vᵀ)/σ — the
 *   rule of `nn`'s SpectralNorm.
 * All weights and biases live in ONE parameter tensor (so Adam is one dispatch per network),
 * layer l as W_l [n_l, n_{l+1}] row-major followed by b_l [n_{l+1}]. The input may be given as
 * two tensors side by side (e.g. [h, z]) without a copy.
 * @module
 */
import { ceilDiv, type Gpu, grid1d, Params, type Tensor, workgroupTotalWgsl } from "../gpu/mod.ts";
import type { Rng } from "../lib/mod.ts";
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
/** Rows and columns of the register tile of one invocation (llvmpipe wants big tiles). */
const T = 16;
/** Invocations per workgroup of the blocked kernels. */
const WGB = 16;
/** Row tiles per workgroup of the forward and backward kernels. */
const R = 4;
/** Rows per workgroup of the forward and backward kernels. */
const RB = R * T;
const TT = Array.from({ length: T }, (_, i) => i);
const G4 = Array.from({ length: T / 4 }, (_, i) => i);

const STRUCT = `
struct P {
  dims: vec4<u32>,
  n: array<vec4<u32>, 2>,
  wOff: vec4<u32>,
  aOff: vec4<u32>,
  hOff: vec4<u32>,
  tOff: vec4<u32>,
  m: vec4<u32>,
  f: vec4<f32>,
}
fn nAt(l: u32) -> u32 { return p.n[l / 4u][l % 4u]; }
fn lrelu(x: f32) -> f32 { return select(p.f.x * x, x, x > 0.0); }
fn lreluGrad(x: f32) -> f32 { return select(p.f.x, 1.0, x > 0.0); }
fn spectral() -> bool { return (p.dims.z & 1u) != 0u; }
fn softplusLast() -> bool { return (p.dims.z & 2u) != 0u; }
`;
const INV_SIGMA = `fn invSigma(l: u32) -> f32 { return select(1.0, 1.0 / sigma[l], spectral()); }`;
const BARRIER = "storageBarrier();\n    workgroupBarrier();";

const BLOCK_HEADER = `@compute @workgroup_size(${WGB})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let rows = p.dims.x;
  let L = p.dims.y;
  let hT = p.m.x;
  let aT = p.m.y;
  let na = p.m.z;
  let nb = p.m.w;
  let r0 = (wid.x + wid.y * nwg.x) * ${RB}u;
  if (r0 >= rows) { return; }`;

/** `let` lines, one per tile index k: `${name}${k} = expr(k)`. */
const lets = (name: string, expr: (k: number) => string, indent = "      ") =>
  TT.map((k) => `${indent}let ${name}${k} = ${expr(k)};`).join("\n");
/** The tile's accumulators a{r}_{g} (row r, columns 4g … 4g + 3). */
const accumulators = TT.flatMap((r) => G4.map((g) => `      var a${r}_${g} = vec4<f32>(0.0);`))
  .join("\n");
const fmas = (indent: string, left: string, right: string) =>
  TT.flatMap((r) => G4.map((g) => `${indent}a${r}_${g} += ${left}${r} * ${right}${g};`)).join(
    "\n",
  );
const stores = (call: (r: number, g: number) => string) =>
  TT.flatMap((r) => G4.map((g) => `      ${call(r, g)};`)).join("\n");
const vec4Of = (load: (k: number) => string, g: number) =>
  `vec4<f32>(${[0, 1, 2, 3].map((c) => load(4 * g + c)).join(", ")})`;

/**
 * Forward: a workgroup takes ${RB} rows through every layer; an invocation computes a tile of
 * ${T} rows × ${T} outputs of a layer (32 loads per 256 multiply-adds). Layer inputs are kept in
 * `hs` [rows, Σ n_l] (post-activation), the output layer's pre-activation in `pre`. Indices
 * past the edges are clamped and their results never stored.
 */
const FORWARD_WGSL = `
@group(0) @binding(0) var<storage, read> xa: array<f32>;
@group(0) @binding(1) var<storage, read> xb: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> sigma: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<storage, read_write> hs: array<f32>;
@group(0) @binding(6) var<storage, read_write> pre: array<f32>;
@group(0) @binding(7) var<uniform> p: P;
${STRUCT}
${INV_SIGMA}
fn store4(l: u32, r: u32, j0: u32, a: vec4<f32>, inv: f32) {
  let rows = p.dims.x;
  let L = p.dims.y;
  let nin = nAt(l);
  let nout = nAt(l + 1u);
  let nL = nAt(L);
  if (r >= rows) { return; }
  for (var c = 0u; c < 4u; c++) {
    let j = j0 + c;
    if (j >= nout) { return; }
    let s = a[c] * inv + w[p.wOff[l] + nin * nout + j];
    if (l + 1u < L) {
      hs[r * p.m.x + p.hOff[l + 1u] + j] = lrelu(s);
    } else {
      pre[r * nL + j] = s;
      var v = p.f.y * s;
      if (softplusLast() && j + 1u == nL) { v = max(v, 0.0) + log(1.0 + exp(-abs(v))); }
      out[r * nL + j] = v;
    }
  }
}
${BLOCK_HEADER}
  let n0 = nAt(0u);
  for (var e = lid; e < ${RB}u * n0; e += ${WGB}u) {
    let r = r0 + e / n0;
    let i = e % n0;
    if (r < rows) {
      if (i < na) { hs[r * hT + i] = xa[r * na + i]; } else { hs[r * hT + i] = xb[r * nb + i - na]; }
    }
  }
  ${BARRIER}
  for (var l = 0u; l < L; l++) {
    let nin = nAt(l);
    let nout = nAt(l + 1u);
    let inv = invSigma(l);
    let wo = p.wOff[l];
    let ho = p.hOff[l];
    let tiles = ${R}u * ((nout + ${T - 1}u) / ${T}u);
    for (var t = lid; t < tiles; t += ${WGB}u) {
      let rb = r0 + (t % ${R}u) * ${T}u;
      let cb = (t / ${R}u) * ${T}u;
${lets("hr", (k) => `min(rb + ${k}u, rows - 1u) * hT + ho`)}
${lets("wc", (k) => `min(cb + ${k}u, nout - 1u)`)}
${accumulators}
      for (var i = 0u; i < nin; i++) {
        let wr = wo + i * nout;
${G4.map((g) => `        let w${g} = ${vec4Of((k) => `w[wr + wc${k}]`, g)};`).join("\n")}
${lets("h", (k) => `hs[hr${k} + i]`, "        ")}
${fmas("        ", "h", "w")}
      }
${stores((r, g) => `store4(l, rb + ${r}u, cb + ${4 * g}u, a${r}_${g}, inv)`)}
    }
    ${BARRIER}
  }
}`;

/**
 * Backward through the rows: the output deltas, then layer by layer δ_in = (W δ_out)/σ ⊙
 * LeakyReLU′, tiled like the forward (rows × inputs); the first layer's input gradient goes to
 * dxa and dxb.
 */
const BACKWARD_WGSL = `
@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> hs: array<f32>;
@group(0) @binding(2) var<storage, read> pre: array<f32>;
@group(0) @binding(3) var<storage, read> w: array<f32>;
@group(0) @binding(4) var<storage, read> sigma: array<f32>;
@group(0) @binding(5) var<storage, read_write> deltas: array<f32>;
@group(0) @binding(6) var<storage, read_write> dxa: array<f32>;
@group(0) @binding(7) var<storage, read_write> dxb: array<f32>;
@group(0) @binding(8) var<uniform> p: P;
${STRUCT}
${INV_SIGMA}
fn store4(l: u32, r: u32, i0: u32, a: vec4<f32>, inv: f32) {
  let nin = nAt(l);
  let na = p.m.z;
  let nb = p.m.w;
  if (r >= p.dims.x) { return; }
  for (var c = 0u; c < 4u; c++) {
    let i = i0 + c;
    if (i >= nin) { return; }
    var s = a[c] * inv;
    if (l > 0u) {
      s *= lreluGrad(hs[r * p.m.x + p.hOff[l] + i]);
      deltas[r * p.m.y + p.aOff[l - 1u] + i] = s;
    } else if (i < na) {
      dxa[r * na + i] = s;
    } else {
      dxb[r * nb + i - na] = s;
    }
  }
}
${BLOCK_HEADER}
  let nL = nAt(L);
  let lastA = p.aOff[L - 1u];
  for (var e = lid; e < ${RB}u * nL; e += ${WGB}u) {
    let r = r0 + e / nL;
    let j = e % nL;
    if (r < rows) {
      var g = dy[r * nL + j] * p.f.y;
      if (softplusLast() && j + 1u == nL) { g /= 1.0 + exp(-p.f.y * pre[r * nL + j]); }
      deltas[r * aT + lastA + j] = g;
    }
  }
  ${BARRIER}
  for (var k = 0u; k < L; k++) {
    let l = L - 1u - k;
    let nin = nAt(l);
    let nout = nAt(l + 1u);
    let inv = invSigma(l);
    let wo = p.wOff[l];
    let ao = p.aOff[l];
    let tiles = ${R}u * ((nin + ${T - 1}u) / ${T}u);
    for (var t = lid; t < tiles; t += ${WGB}u) {
      let rb = r0 + (t % ${R}u) * ${T}u;
      let ib = (t / ${R}u) * ${T}u;
${lets("dr", (k) => `min(rb + ${k}u, rows - 1u) * aT + ao`)}
${lets("wi", (k) => `wo + min(ib + ${k}u, nin - 1u) * nout`)}
${accumulators}
      for (var j = 0u; j < nout; j++) {
${G4.map((g) => `        let w${g} = ${vec4Of((k) => `w[wi${k} + j]`, g)};`).join("\n")}
${lets("d", (k) => `deltas[dr${k} + j]`, "        ")}
${fmas("        ", "d", "w")}
      }
${stores((r, g) => `store4(l, rb + ${r}u, ib + ${4 * g}u, a${r}_${g}, inv)`)}
    }
    ${BARRIER}
  }
}`;

/**
 * Parameter gradients: per layer the augmented matrix [W; b] gets [hs, 1]ᵀ δ summed over every
 * row, an invocation per ${T} × ${T} tile; the tiles of all layers in one dispatch (p.tOff).
 */
const GRAD_WGSL = `
@group(0) @binding(0) var<storage, read> hs: array<f32>;
@group(0) @binding(1) var<storage, read> deltas: array<f32>;
@group(0) @binding(2) var<storage, read_write> grad: array<f32>;
@group(0) @binding(3) var<uniform> p: P;
${STRUCT}
fn store4(l: u32, i: u32, j0: u32, a: vec4<f32>) {
  let nin = nAt(l);
  let nout = nAt(l + 1u);
  if (i > nin) { return; }
  for (var c = 0u; c < 4u; c++) {
    if (j0 + c >= nout) { return; }
    grad[p.wOff[l] + i * nout + j0 + c] = a[c];
  }
}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let gi = (wid.x + wid.y * nwg.x) * ${WG}u + lid;
  let rows = p.dims.x;
  let L = p.dims.y;
  let hT = p.m.x;
  let aT = p.m.y;
  var l = 0u;
  for (var q = 1u; q < L; q++) { if (gi >= p.tOff[q]) { l = q; } }
  let nin = nAt(l);
  let nout = nAt(l + 1u);
  let tilesC = (nout + ${T - 1}u) / ${T}u;
  let local = gi - p.tOff[l];
  if (local >= ((nin + ${T}u) / ${T}u) * tilesC) { return; }
  let ib = (local / tilesC) * ${T}u;
  let jb = (local % tilesC) * ${T}u;
  let ho = p.hOff[l];
  let ao = p.aOff[l];
${lets("hc", (k) => `ho + min(ib + ${k}u, nin - 1u)`, "  ")}
${lets("bias", (k) => `ib + ${k}u == nin`, "  ")}
${lets("dc", (k) => `ao + min(jb + ${k}u, nout - 1u)`, "  ")}
${accumulators}
  for (var b = 0u; b < rows; b++) {
    let hb = b * hT;
    let db = b * aT;
${G4.map((g) => `    let d${g} = ${vec4Of((k) => `deltas[db + dc${k}]`, g)};`).join("\n")}
${lets("h", (k) => `select(hs[hb + hc${k}], 1.0, bias${k})`, "    ")}
${fmas("    ", "h", "d")}
  }
${stores((r, g) => `store4(l, ib + ${r}u, jb + ${4 * g}u, a${r}_${g})`)}
}`;

const SN_SHARED = workgroupTotalWgsl(WG);

/** σ per layer (one workgroup each), after one power iteration on u, v when p.f.z != 0. */
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
  let uo = p.hOff[l];
  let vo = p.aOff[l];
  if (p.f.z == 0.0) {
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

/** ∂/∂(W/σ) → ∂/∂W with u, v held constant, in place (one workgroup per layer). */
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
  let uo = p.hOff[l];
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
  readonly #tileOffsets: number[];

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
    const L = sizes.length - 1;
    this.#tileOffsets = [0];
    for (let l = 0; l < L; l++) {
      const tiles = Math.ceil((sizes[l] + 1) / T) * Math.ceil(sizes[l + 1] / T);
      this.#tileOffsets.push(this.#tileOffsets[l] + tiles);
    }
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
    const hs = tape.own(gpu.empty([rows, this.layout.uCount]));
    const pre = tape.own(gpu.empty([rows, nL]));
    const out = gpu.empty([rows, nL]);
    const uniforms = this.#uniforms(rows, na, nb);
    const blocks = grid1d(ceilDiv(rows, RB));
    gpu.run({
      name: "cgml_fused_mlp_forward",
      key: "v2",
      source: () => FORWARD_WGSL,
      buffers: [xa, xb ?? xa, this.params, sigma, out, hs, pre],
      params: uniforms,
      workgroups: blocks,
    });
    const inputs = xb ? [xa, xb, this.params] : [xa, this.params];
    return tape.record("fusedMlp", inputs, out, (dy, needs) => {
      const deltas = gpu.empty([rows, this.layout.actCount]);
      const dxa = gpu.empty([rows, na]);
      const dxb = gpu.empty([rows, Math.max(nb, 1)]);
      gpu.run({
        name: "cgml_fused_mlp_backward",
        key: "v2",
        source: () => BACKWARD_WGSL,
        buffers: [dy, hs, pre, this.params, sigma, deltas, dxa, dxb],
        params: uniforms,
        workgroups: blocks,
      });
      const grad = needs[needs.length - 1] ? this.#paramGrad(hs, deltas, sigma, uniforms) : null;
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

  #paramGrad(hs: Tensor, deltas: Tensor, sigma: Tensor, uniforms: ArrayBuffer): Tensor {
    const gpu = this.#gpu;
    const grad = gpu.empty([this.layout.paramCount]);
    gpu.run({
      name: "cgml_fused_mlp_grad",
      key: "v2",
      source: () => GRAD_WGSL,
      buffers: [hs, deltas, grad],
      params: uniforms,
      workgroups: grid1d(ceilDiv(this.#tileOffsets[this.#tileOffsets.length - 1], WG)),
    });
    if (this.u && this.v) {
      gpu.run({
        name: "cgml_fused_mlp_sn_grad",
        key: "v2",
        source: () => SN_GRAD_WGSL,
        buffers: [this.params, this.u, this.v, sigma, grad],
        params: uniforms,
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
      key: "v2",
      source: () => SIGMA_WGSL,
      buffers: [this.params, this.u!, this.v!, sigma],
      params: this.#uniforms(0, 0, 0, update),
      workgroups: [this.sizes.length - 1],
    });
    return sigma;
  }

  /**
   * Uniforms: dims (rows, L, flags: 1 spectral norm | 2 softplus last, paramCount), n (sizes),
   * wOff, aOff (= offsets of v), hOff (= offsets of u), tOff (grad tiles), m (Σ n_l for
   * l < L, Σ n_l for l > 0, na, nb), f (slope, scale, power-iteration update).
   */
  #uniforms(rows: number, na: number, nb: number, update = false): ArrayBuffer {
    const lay = this.layout;
    const L = this.sizes.length - 1;
    const flags = (this.u ? 1 : 0) | (this.softplusLast ? 2 : 0);
    const b = new Params(40).u32(rows).u32(L).u32(flags).u32(lay.paramCount);
    const words = [
      ...vec4(this.sizes.slice(0, 4)),
      ...vec4(this.sizes.slice(4)),
      ...vec4(lay.wOff),
      ...vec4(lay.aOff),
      ...vec4(lay.uOff),
      ...vec4(this.#tileOffsets),
      lay.uCount,
      lay.actCount,
      na,
      nb,
    ];
    for (const x of words) b.u32(x);
    return b.f32(this.slope).f32(this.outputScale).f32(update ? 1 : 0).f32(0).build();
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
      out[r * nL + j] = o.softplusLast && j === nL - 1
        ? Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)))
        : v;
    }
  }
  return out;
}
