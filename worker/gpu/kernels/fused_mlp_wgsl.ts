/**
 * WGSL bodies of the fused-MLP kernels (the headers come from their declarations in
 * `fused_mlp.ts`): forward, backward through the rows, parameter gradients, σ per layer and
 * the spectral-norm gradient. See `fused_mlp.ts` for the data layouts.
 * @module
 */
import { workgroupTotalWgsl } from "./_common.ts";

/** Invocations per workgroup of the gradient and spectral-norm kernels. */
export const WG = 64;
const EPS = 1e-12;
/** Rows and columns of the register tile of one invocation (llvmpipe wants big tiles). */
export const T = 16;
/** Invocations per workgroup of the blocked kernels. */
const WGB = 16;
/** Row tiles per workgroup of the forward and backward kernels. */
const R = 4;
/** Rows per workgroup of the forward and backward kernels. */
export const RB = R * T;
const TT = Array.from({ length: T }, (_, i) => i);
const G4 = Array.from({ length: T / 4 }, (_, i) => i);

/**
 * The uniform struct shared by every fused-MLP kernel: dims (rows, L, flags: 1 spectral norm |
 * 2 softplus last, paramCount), n (sizes), wOff, aOff (= offsets of v), hOff (= offsets of u),
 * tOff (grad tiles), m (Σ n_l for l < L, Σ n_l for l > 0, na, nb), f (slope, scale,
 * power-iteration update, 0).
 */
export const FUSED_UNIFORMS = {
  dims: "vec4<u32>",
  n: "array<vec4<u32>, 2>",
  wOff: "vec4<u32>",
  aOff: "vec4<u32>",
  hOff: "vec4<u32>",
  tOff: "vec4<u32>",
  m: "vec4<u32>",
  f: "vec4<f32>",
} as const;

const STRUCT = `
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
export const FORWARD_WGSL = `
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
export const BACKWARD_WGSL = `
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
export const GRAD_WGSL = `
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
export const SIGMA_WGSL = `
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
export const SN_GRAD_WGSL = `
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
