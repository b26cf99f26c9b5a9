/**
 * 2-D convolutions on the GPU as implicit GEMMs (no im2col buffer), NHWC images and
 * [KH, KW, Cin, Cout] weights:
 * - forward: M = N·Ho·Wo output pixels, N = Cout, K = KH·KW·Cin;
 * - input gradient: one GEMM per sub-pixel phase (r_h, r_w) ∈ [0, s)²: the input pixels with
 *   (ih + p) ≡ r_h (mod s) receive exactly the taps kh ≡ r_h (mod s), so no FLOP is spent on
 *   taps that a stride skips; M = that phase's input pixels, N = Cin, K = taps·Cout;
 * - weight gradient: M = KH·KW·Cin, N = Cout, K = N·Ho·Wo.
 * Transposed convolutions reuse the same three kernels. Kernel families and the register-block
 * strategy are those of matmul (see matmul_wgsl.ts).
 */
import type { Gpu } from "../device.ts";
import { kernel, read, readWrite } from "../kernel.ts";
import { grid1d } from "../params.ts";
import type { Tensor } from "../tensor.ts";
import type { KernelFamily } from "../tuning/choices.ts";
import {
  checkShape,
  type ConvGeometry,
  convGeometry,
  convInputShape,
  type ConvOptions,
  convOutputShape,
  type ConvTransposeOptions,
  convTransposeOutputShape,
} from "./conv_shape.ts";
import {
  type GemmShape,
  type GemmVariant,
  gemmVariant,
  type GemmVariantName,
  nearestClass,
} from "./gemm_variants.ts";
import {
  checkGroups,
  columnVec,
  comp,
  type CpuBlock,
  cpuKernel,
  cpuLayout,
  multiplyAdd,
  range,
  storeBlock,
  tiledGemm,
  tiledGroups,
  type TiledSpec,
  type TileShape,
} from "./matmul_wgsl.ts";

export type { ConvOptions, ConvTransposeOptions } from "./conv_shape.ts";

/** Kernel variant selection shared by every convolution entry point. */
export interface ConvKernelOptions {
  /** GEMM variant to use; defaults to the device's choice for the shape class (tests force each). */
  variant?: GemmVariantName;
}

/**
 * Shape classes of the convolution GEMMs (M = output rows, N = output columns, K = reduction),
 * named after their representative shapes: the layer of the kernel benchmark (batch 16,
 * 32×32×32 → 64, 4×4, stride 2) in each of its three GEMMs, and a first layer (3 → 16
 * channels) for the forward and weight-gradient GEMMs.
 */
export const CONV_CLASSES: Readonly<Record<Kind, Readonly<Record<string, GemmShape>>>> = {
  fwd: { "4096x64x512": { m: 4096, n: 64, k: 512 }, "4096x16x48": { m: 4096, n: 16, k: 48 } },
  dx: { "4096x32x256": { m: 4096, n: 32, k: 256 } },
  dw: { "512x64x4096": { m: 512, n: 64, k: 4096 }, "48x16x4096": { m: 48, n: 16, k: 4096 } },
};

/** The convolution GEMM kinds: forward, input gradient, weight gradient. */
export type ConvKind = "fwd" | "dx" | "dw";

type Kind = ConvKind;

const FAMILY: Readonly<Record<Kind, KernelFamily>> = {
  fwd: "conv_fwd",
  dx: "conv_dx",
  dw: "conv_dw",
};

/** The shape class of a convolution GEMM of `kind` (M×N×K as in the module documentation). */
export function convClass(kind: ConvKind, m: number, n: number, k: number): string {
  return nearestClass(CONV_CLASSES[kind], m, n, k);
}

function pickVariant(gpu: Gpu, kind: Kind, gemm: readonly number[], name?: string): GemmVariant {
  const chosen = name ?? gpu.kernels.pick(FAMILY[kind], convClass(kind, gemm[0], gemm[1], gemm[2]));
  return gemmVariant(`run conv kernel ${kind}`, chosen);
}

/** conv2d(x [N, H, W, Cin], w [KH, KW, Cin, Cout]) → new [N, Ho, Wo, Cout]. */
export function conv2d(x: Tensor, w: Tensor, opts: ConvOptions & ConvKernelOptions = {}): Tensor {
  const g = convGeometry("conv2d", x.shape, w.shape, opts);
  return forward(x, w, g, opts.variant);
}

/** Input gradient of conv2d: dy [N, Ho, Wo, Cout] → new [N, H, W, Cin] (= `inputShape`). */
export function conv2dInputGrad(
  dy: Tensor,
  w: Tensor,
  inputShape: readonly number[],
  opts: ConvOptions & ConvKernelOptions = {},
): Tensor {
  const g = convGeometry("conv2dInputGrad", inputShape, w.shape, opts);
  checkShape("conv2dInputGrad", "dy", dy.shape, convOutputShape(g));
  return inputGrad(dy, w, g, opts.variant);
}

/** Weight gradient of conv2d: x, dy → new [KH, KW, Cin, Cout] (= `weightShape`). */
export function conv2dWeightGrad(
  x: Tensor,
  dy: Tensor,
  weightShape: readonly number[],
  opts: ConvOptions & ConvKernelOptions = {},
): Tensor {
  const g = convGeometry("conv2dWeightGrad", x.shape, weightShape, opts);
  checkShape("conv2dWeightGrad", "dy", dy.shape, convOutputShape(g));
  return weightGrad(x, dy, g, opts.variant);
}

/**
 * convTranspose2d(x [N, H, W, Cin], w [KH, KW, Cout, Cin]) → new
 * [N, (H-1)s - 2p + KH + outputPadding, …, Cout]; equals conv2dInputGrad(x, w, that shape).
 */
export function convTranspose2d(
  x: Tensor,
  w: Tensor,
  opts: ConvTransposeOptions & ConvKernelOptions = {},
): Tensor {
  const out = convTransposeOutputShape("convTranspose2d", x.shape, w.shape, opts);
  const g = convGeometry("convTranspose2d", out, w.shape, opts);
  checkShape("convTranspose2d", "x", x.shape, convOutputShape(g));
  return inputGrad(x, w, g, opts.variant);
}

/** Input gradient of convTranspose2d: dy [N, Hout, Wout, Cout] → new [N, H, W, Cin]. */
export function convTranspose2dInputGrad(
  dy: Tensor,
  w: Tensor,
  opts: ConvOptions & ConvKernelOptions = {},
): Tensor {
  const g = convGeometry("convTranspose2dInputGrad", dy.shape, w.shape, opts);
  return forward(dy, w, g, opts.variant);
}

/** Weight gradient of convTranspose2d: x, dy → new [KH, KW, Cout, Cin] (= `weightShape`). */
export function convTranspose2dWeightGrad(
  x: Tensor,
  dy: Tensor,
  weightShape: readonly number[],
  opts: ConvOptions & ConvKernelOptions = {},
): Tensor {
  const g = convGeometry("convTranspose2dWeightGrad", dy.shape, weightShape, opts);
  checkShape("convTranspose2dWeightGrad", "x", x.shape, convOutputShape(g));
  return weightGrad(dy, x, g, opts.variant);
}

/**
 * Uniforms shared by the three kernels: GEMM sizes, geometry, cpu layout, the sub-pixel phase
 * of the input-gradient kernel and the images per K slice of the weight-gradient kernel.
 */
const UNIFORMS = Object.fromEntries(
  "M N K Nb H W Cin Ho Wo Cout KH KW S P wgx rh rw ih0 iw0 Hq Wq KHp KWp qh0 qw0 nPer"
    .split(" ").map((f) => [f, "u32" as const]),
);

interface Phase {
  rh: number;
  rw: number;
  ih0: number;
  iw0: number;
  hq: number;
  wq: number;
  khp: number;
  kwp: number;
  qh0: number;
  qw0: number;
}

const NO_PHASE: Phase = {
  rh: 0,
  rw: 0,
  ih0: 0,
  iw0: 0,
  hq: 0,
  wq: 0,
  khp: 0,
  kwp: 0,
  qh0: 0,
  qw0: 0,
};

/** The device shared by `tensors`. */
function deviceOf(op: string, tensors: Tensor[]): Gpu {
  const gpu = tensors[0].gpu;
  if (tensors.some((t) => t.gpu !== gpu)) {
    throw new Error(`Cannot ${op}: the tensors live on different devices`);
  }
  return gpu;
}

function forward(x: Tensor, w: Tensor, g: ConvGeometry, variant?: GemmVariantName): Tensor {
  const out = deviceOf("run a convolution", [x, w]).empty(convOutputShape(g));
  const m = g.n * g.ho * g.wo;
  dispatch("fwd", [x, w, out], g, [m, g.cout, g.kh * g.kw * g.cin], NO_PHASE, NO_SPLIT, variant);
  return out;
}

function inputGrad(dy: Tensor, w: Tensor, g: ConvGeometry, variant?: GemmVariantName): Tensor {
  const out = deviceOf("run a convolution input gradient", [dy, w]).empty(convInputShape(g));
  for (const ph of phases(g)) {
    const gemm = [g.n * ph.hq * ph.wq, g.cin, ph.khp * ph.kwp * g.cout] as const;
    dispatch("dx", [dy, w, out], g, gemm, ph, NO_SPLIT, variant);
  }
  return out;
}

/**
 * The weight gradient reduces over every output pixel of the batch, onto few outputs. When
 * that gives too few workgroups to fill the device, the batch is split into K slices that
 * write partial sums, added up by a second, small kernel.
 */
function weightGrad(
  x: Tensor,
  dy: Tensor,
  g: ConvGeometry,
  name?: GemmVariantName,
): Tensor {
  const gpu = deviceOf("run a convolution weight gradient", [x, dy]);
  const shape = [g.kh, g.kw, g.cin, g.cout];
  const m = g.kh * g.kw * g.cin;
  const perImage = g.ho * g.wo;
  const variant = pickVariant(gpu, "dw", [m, g.cout, g.n * perImage], name);
  const slices = kSlices(g, m, g.cout, variant);
  const nPer = Math.ceil(g.n / slices);
  const gemm = [m, g.cout, nPer * perImage] as const;
  if (slices === 1) {
    const out = gpu.empty(shape);
    dispatch("dw", [x, dy, out], g, gemm, NO_PHASE, { slices: 1, nPer }, variant);
    return out;
  }
  const parts = Math.ceil(g.n / nPer);
  const partial = gpu.empty([parts, m * g.cout]);
  dispatch("dw", [x, dy, partial], g, gemm, NO_PHASE, { slices: parts, nPer }, variant);
  const out = gpu.empty(shape);
  const count = m * g.cout;
  SUM_SLICES.run(gpu, {
    buffers: { src: partial, dst: out },
    uniforms: { count, slices: parts },
    workgroups: grid1d(Math.ceil(count / 64)),
  });
  partial.dispose();
  return out;
}

/** Smallest K slice worth its own workgroups, in output pixels. */
const MIN_SLICE_PIXELS = 256;

/** Bytes of partial sums the split may allocate. */
const MAX_PARTIAL_BYTES = 64 << 20;

/**
 * How many K slices (whole images each) the weight gradient uses. cpu family: none while the
 * output tiles already occupy every core (measured: splitting the benchmark layer's 2 tiles
 * on 2 cores was 5–20 % slower), else enough for 4 workgroups per core (a 48×32 gradient went
 * from 6.4 to 4.3 ms). gpu family: a few hundred workgroups.
 */
function kSlices(g: ConvGeometry, m: number, n: number, v: GemmVariant): number {
  const cpu = v.kind === "cpu";
  const tiles = v.kind === "cpu"
    ? cpuLayout(m, n, v.block).groups.reduce((a, b) => a * b, 1)
    : tiledGroups(m, n, 1, v.tile).reduce((a, b) => a * b, 1);
  const cores = navigator.hardwareConcurrency || 2;
  if (cpu && tiles >= cores) return 1;
  const target = cpu ? 4 * cores : 256;
  const limit = Math.min(
    g.n,
    Math.floor((g.n * g.ho * g.wo) / MIN_SLICE_PIXELS),
    Math.floor(MAX_PARTIAL_BYTES / (4 * m * n)),
  );
  return Math.max(1, Math.min(Math.ceil(target / tiles), limit));
}

const SUM_SLICES = kernel({
  name: "conv_dw_sum",
  bindings: { src: read(), dst: readWrite() },
  uniforms: { count: "u32", slices: "u32" },
  body: () =>
    `@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (i >= p.count) {
    return;
  }
  var s = 0.0;
  for (var z = 0u; z < p.slices; z++) {
    s += src[z * p.count + i];
  }
  dst[i] = s;
}`,
});

/**
 * The sub-pixel phases of the input gradient that own input pixels. Phase (r_h, r_w) covers
 * ih = ih0 + s·t (t < Hq) with (ih + p) ≡ r_h (mod s), reads taps kh = r_h + s·j (j < KHp) and
 * output rows oh = qh0 + t - j.
 */
function phases(g: ConvGeometry): Phase[] {
  const axis = (r: number, size: number, k: number) => {
    const i0 = (((r - g.pad) % g.stride) + g.stride) % g.stride;
    return {
      i0,
      q: i0 < size ? Math.ceil((size - i0) / g.stride) : 0,
      taps: r < k ? Math.ceil((k - r) / g.stride) : 0,
      q0: (i0 + g.pad - r) / g.stride,
    };
  };
  const out: Phase[] = [];
  for (let rh = 0; rh < g.stride; rh++) {
    for (let rw = 0; rw < g.stride; rw++) {
      const a = axis(rh, g.h, g.kh);
      const b = axis(rw, g.w, g.kw);
      if (a.q === 0 || b.q === 0) continue;
      out.push({
        rh,
        rw,
        ih0: a.i0,
        iw0: b.i0,
        hq: a.q,
        wq: b.q,
        khp: a.taps,
        kwp: b.taps,
        qh0: a.q0,
        qw0: b.q0,
      });
    }
  }
  return out;
}

/** K split of the weight gradient: `slices` workgroup layers along z of `nPer` images each. */
interface Split {
  slices: number;
  nPer: number;
}

const NO_SPLIT: Split = { slices: 1, nPer: 0 };

/** Records one kernel: `gemm` = [M, N, K], K counted per slice. */
function dispatch(
  kind: Kind,
  buffers: [Tensor, Tensor, Tensor],
  g: ConvGeometry,
  gemm: readonly [number, number, number],
  ph: Phase,
  split: Split,
  chosen: GemmVariantName | GemmVariant | undefined,
): void {
  const gpu = buffers[0].gpu;
  const [m, n, k] = gemm;
  if (m === 0 || n === 0) return;
  const variant = typeof chosen === "object" ? chosen : pickVariant(gpu, kind, gemm, chosen);
  const block = variant.kind === "cpu" ? variant.block : null;
  const layout = cpuLayout(m, n, block ?? undefined);
  const uniforms = {
    M: m,
    N: n,
    K: k,
    Nb: g.n,
    H: g.h,
    W: g.w,
    Cin: g.cin,
    Ho: g.ho,
    Wo: g.wo,
    Cout: g.cout,
    KH: g.kh,
    KW: g.kw,
    S: g.stride,
    P: g.pad,
    wgx: layout.wgx,
    rh: ph.rh,
    rw: ph.rw,
    ih0: ph.ih0,
    iw0: ph.iw0,
    Hq: ph.hq,
    Wq: ph.wq,
    KHp: ph.khp,
    KWp: ph.kwp,
    qh0: ph.qh0,
    qw0: ph.qw0,
    nPer: split.nPer,
  };
  const vec = g.cin % 4 === 0 && g.cout % 4 === 0;
  const names = NAMES[kind];
  const bound = { [names[0]]: buffers[0], [names[1]]: buffers[1], [names[2]]: buffers[2] };
  if (block) {
    const workgroups = [layout.groups[0], layout.groups[1], split.slices] as const;
    checkGroups(`run conv kernel ${kind}`, workgroups);
    CONV_CPU.run(gpu, { variant: { kind, block, vec }, buffers: bound, uniforms, workgroups });
  } else if (variant.kind === "tiled") {
    const workgroups = tiledGroups(m, n, split.slices, variant.tile);
    checkGroups(`run conv kernel ${kind}`, workgroups);
    CONV_TILED.run(gpu, {
      variant: { kind, tile: variant.tile },
      buffers: bound,
      uniforms,
      workgroups,
    });
  }
}

/** Binding names of each kind: the two operands and the output. */
const NAMES: Readonly<Record<Kind, readonly [string, string, string]>> = {
  fwd: ["X", "Wt", "Y"],
  dx: ["DY", "Wt", "DX"],
  dw: ["X", "DY", "DW"],
};

function convBindings(kind: Kind, vec: boolean) {
  const t = vec ? "vec4<f32>" : "f32";
  const [a, b, c] = NAMES[kind];
  return { [a]: read(t), [b]: read(t), [c]: readWrite(t) };
}

const CONV_CPU = kernel({
  name: (v: { kind: Kind; block: CpuBlock; vec: boolean }) => `conv_${v.kind}_cpu`,
  bindings: (v) => convBindings(v.kind, v.vec),
  uniforms: UNIFORMS,
  key: (v) => `${v.block.rows}x${v.block.cols}|${v.vec ? "4" : "1"}`,
  body: (v) => CPU_SOURCES[v.kind](v.block, v.vec),
});

const CONV_TILED = kernel({
  name: (v: { kind: Kind; tile: TileShape }) => `conv_${v.kind}_gpu`,
  bindings: (v) => convBindings(v.kind, false),
  uniforms: UNIFORMS,
  key: (v) => `${v.tile.tile}x${v.tile.bk}`,
  body: (v) => tiledGemm(GPU_SPECS[v.kind], v.tile),
});

/** Forward: rows are output pixels, the K loop runs over taps then input channels. */
function forwardCpu(blk: CpuBlock, vec: boolean): string {
  const R = blk.rows;
  const C = blk.cols;
  const u = vec ? 4 : 1;
  const setup = [
    "let HoWo = p.Ho * p.Wo;",
    `let CI = p.Cin / ${u}u;`,
    `let CO = p.Cout / ${u}u;`,
    ...range(R).flatMap((i) => [
      `let r${i} = min(row0 + ${i}u, p.M - 1u);`,
      `let q${i} = r${i} % HoWo;`,
      `let xn${i} = r${i} / HoWo * p.H;`,
      `let y${i} = i32(q${i} / p.Wo * p.S) - i32(p.P);`,
      `let x${i} = i32(q${i} % p.Wo * p.S) - i32(p.P);`,
    ]),
    ...(vec
      ? range(C / 4).map((v) => `let b${v} = min(col0 / 4u + ${v}u, CO - 1u);`)
      : range(C).map((j) => `let b${j} = min(col0 + ${j}u, p.Cout - 1u);`)),
  ];
  const taps = range(R).flatMap((i) => [
    `let iy${i} = y${i} + i32(kh);`,
    `let ix${i} = x${i} + i32(kw);`,
    `let ok${i} = u32(iy${i}) < p.H && u32(ix${i}) < p.W;`,
    `let o${i} = select(0u, ((xn${i} + u32(iy${i})) * p.W + u32(ix${i})) * CI, ok${i});`,
  ]);
  const inner = vec
    ? `let wq = (wr + c * 4u) * CO;
        ${
      range(4).flatMap((kk) =>
        range(C / 4).map((v) => `let bv${kk}_${v} = Wt[wq + ${kk}u * CO + b${v}];`)
      ).join("\n        ")
    }
        ${
      multiplyAdd(
        blk,
        4,
        (i, kk) => `av${i}.${comp(kk)}`,
        (kk, v) => `bv${kk}_${v}`,
        (i) => [`let av${i} = select(vec4<f32>(), X[o${i} + c], ok${i});`],
      )
    }`
    : `let wq = (wr + c) * p.Cout;
        ${range(C).map((j) => `let bv${j} = Wt[wq + b${j}];`).join("\n        ")}
        ${range(C / 4).map((v) => `let bq${v} = ${columnVec(v)};`).join("\n        ")}
        ${
      multiplyAdd(
        blk,
        1,
        (i) => `av${i}`,
        (_, v) => `bq${v}`,
        (i) => [`let av${i} = select(0.0, X[o${i} + c], ok${i});`],
      )
    }`;
  const loop = `var wr = 0u;
  for (var kh = 0u; kh < p.KH; kh++) {
    for (var kw = 0u; kw < p.KW; kw++) {
      ${taps.join("\n      ")}
      for (var c = 0u; c < CI; c++) {
        ${inner}
      }
      wr += p.Cin;
    }
  }`;
  const store = storeBlock(blk, "Y", vec, {
    ok: (i) => `row0 + ${i}u < p.M`,
    offset: (i) => `(row0 + ${i}u) * p.Cout`,
  });
  return cpuKernel(blk, setup, loop, store);
}

/**
 * Input gradient of one sub-pixel phase: rows are the phase's input pixels, columns input
 * channels, the K loop runs over the phase's taps then output channels. The weights are read
 * along Cout (K) and transposed in registers.
 */
function inputGradCpu(blk: CpuBlock, vec: boolean): string {
  const R = blk.rows;
  const C = blk.cols;
  const u = vec ? 4 : 1;
  const setup = [
    "let HqWq = p.Hq * p.Wq;",
    `let CO = p.Cout / ${u}u;`,
    ...range(R).flatMap((i) => [
      `let r${i} = min(row0 + ${i}u, p.M - 1u);`,
      `let n${i} = r${i} / HqWq;`,
      `let t${i} = r${i} % HqWq;`,
      `let th${i} = t${i} / p.Wq;`,
      `let tw${i} = t${i} % p.Wq;`,
      `let qy${i} = i32(p.qh0 + th${i});`,
      `let qx${i} = i32(p.qw0 + tw${i});`,
      `let dn${i} = n${i} * p.Ho;`,
    ]),
    ...range(C).map((j) => `let b${j} = min(col0 + ${j}u, p.Cin - 1u) * CO;`),
  ];
  const taps = range(R).flatMap((i) => [
    `let oy${i} = qy${i} - i32(jh);`,
    `let ox${i} = qx${i} - i32(jw);`,
    `let ok${i} = u32(oy${i}) < p.Ho && u32(ox${i}) < p.Wo;`,
    `let o${i} = select(0u, ((dn${i} + u32(oy${i})) * p.Wo + u32(ox${i})) * CO, ok${i});`,
  ]);
  const bLoads = range(C).map((j) => `let bv${j} = Wt[wb + b${j} + c];`).join("\n        ");
  const inner = vec
    ? `${bLoads}
        ${
      multiplyAdd(
        blk,
        4,
        (i, kk) => `av${i}.${comp(kk)}`,
        (kk, v) => `vec4<f32>(${range(4).map((t) => `bv${4 * v + t}.${comp(kk)}`).join(", ")})`,
        (i) => [`let av${i} = select(vec4<f32>(), DY[o${i} + c], ok${i});`],
      )
    }`
    : `${bLoads}
        ${range(C / 4).map((v) => `let bq${v} = ${columnVec(v)};`).join("\n        ")}
        ${
      multiplyAdd(
        blk,
        1,
        (i) => `av${i}`,
        (_, v) => `bq${v}`,
        (i) => [`let av${i} = select(0.0, DY[o${i} + c], ok${i});`],
      )
    }`;
  const loop = `for (var jh = 0u; jh < p.KHp; jh++) {
    for (var jw = 0u; jw < p.KWp; jw++) {
      ${taps.join("\n      ")}
      let wb = ((p.rh + jh * p.S) * p.KW + p.rw + jw * p.S) * p.Cin * CO;
      for (var c = 0u; c < CO; c++) {
        ${inner}
      }
    }
  }`;
  const store = storeBlock(blk, "DX", vec, {
    ok: (i) => `row0 + ${i}u < p.M`,
    offset: (i) => `((n${i} * p.H + p.ih0 + th${i} * p.S) * p.W + p.iw0 + tw${i} * p.S) * p.Cin`,
  });
  return cpuKernel(blk, setup, loop, store);
}

/**
 * Weight gradient: rows are (kh, kw, ci), columns Cout, the K loop runs over output pixels.
 * With vec4, x is read as 4 consecutive input channels (4 rows sharing one tap).
 */
function weightGradCpu(blk: CpuBlock, vec: boolean): string {
  const R = blk.rows;
  const C = blk.cols;
  const u = vec ? 4 : 1;
  const g = vec ? R / 4 : R;
  const rowSetup = range(g).flatMap((r) => [
    vec
      ? `let r${r} = min(row0 / 4u + ${r}u, p.M / 4u - 1u) * 4u;`
      : `let r${r} = min(row0 + ${r}u, p.M - 1u);`,
    `let ci${r} = r${r} % p.Cin / ${u}u;`,
    `let t${r} = r${r} / p.Cin;`,
    `let kx${r} = i32(t${r} % p.KW) - i32(p.P);`,
    `let ky${r} = i32(t${r} / p.KW) - i32(p.P);`,
  ]);
  const setup = [
    `let CI = p.Cin / ${u}u;`,
    `let CO = p.Cout / ${u}u;`,
    ...rowSetup,
    ...(vec
      ? range(C / 4).map((v) => `let b${v} = min(col0 / 4u + ${v}u, CO - 1u);`)
      : range(C).map((j) => `let b${j} = min(col0 + ${j}u, p.Cout - 1u);`)),
  ];
  const rowTaps = range(g).flatMap((r) => [
    `let iy${r} = i32(oh * p.S) + ky${r};`,
    `let oky${r} = u32(iy${r}) < p.H;`,
    `let xr${r} = (n * p.H + u32(iy${r})) * p.W;`,
  ]);
  const zero = vec ? "vec4<f32>()" : "0.0";
  const aLoad = (r: number) => [
    `let ix${r} = ix + kx${r};`,
    `let ok${r} = oky${r} && u32(ix${r}) < p.W;`,
    `let av${r} = select(${zero}, X[select(0u, (xr${r} + u32(ix${r})) * CI + ci${r}, ok${r})], ok${r});`,
  ];
  const inner = vec
    ? `${range(C / 4).map((v) => `let bv${v} = DY[d + b${v}];`).join("\n          ")}
          ${
      multiplyAdd(
        blk,
        1,
        (i) => `av${i >> 2}.${comp(i & 3)}`,
        (_, v) => `bv${v}`,
        (i) => (i % 4 === 0 ? aLoad(i / 4) : []),
      )
    }`
    : `${range(C).map((j) => `let bv${j} = DY[d + b${j}];`).join("\n          ")}
          ${range(C / 4).map((v) => `let bq${v} = ${columnVec(v)};`).join("\n          ")}
          ${multiplyAdd(blk, 1, (i) => `av${i}`, (_, v) => `bq${v}`, aLoad)}`;
  const loop = `let n0 = wid.z * p.nPer;
  var pix = n0 * p.Ho * p.Wo;
  for (var n = n0; n < min(n0 + p.nPer, p.Nb); n++) {
    for (var oh = 0u; oh < p.Ho; oh++) {
      ${rowTaps.join("\n      ")}
      for (var ow = 0u; ow < p.Wo; ow++) {
        let ix = i32(ow * p.S);
        let d = pix * CO;
        ${inner}
        pix++;
      }
    }
  }`;
  const store = storeBlock(blk, "DW", vec, {
    ok: (i) => `row0 + ${i}u < p.M`,
    offset: (i) => `(wid.z * p.M + row0 + ${i}u) * p.Cout`,
  });
  return cpuKernel(blk, setup, loop, store);
}

const CPU_SOURCES: Record<Kind, (blk: CpuBlock, vec: boolean) => string> = {
  fwd: forwardCpu,
  dx: inputGradCpu,
  dw: weightGradCpu,
};

/** Decodes output pixel `m` into `nb`, `oh`, `ow` (gpu family loaders). */
const PIXEL = "let hw = p.Ho * p.Wo; let nb = m / hw; let oh = m % hw / p.Wo; let ow = m % p.Wo;";

const GPU_SPECS: Record<Kind, TiledSpec> = {
  fwd: {
    loadA: `${PIXEL}
  let ci = k % p.Cin; let t = k / p.Cin;
  let iy = i32(oh * p.S + t / p.KW) - i32(p.P);
  let ix = i32(ow * p.S + t % p.KW) - i32(p.P);
  if (u32(iy) >= p.H || u32(ix) >= p.W) { return 0.0; }
  return X[((nb * p.H + u32(iy)) * p.W + u32(ix)) * p.Cin + ci];`,
    loadB: "return Wt[k * p.Cout + n];",
    storeC: "Y[m * p.Cout + n] = v;",
    aAlongK: "true",
    bAlongK: "false",
  },
  dx: {
    helpers: `fn tap(k: u32) -> vec3<u32> {
  let t = k / p.Cout;
  return vec3<u32>(t / p.KWp, t % p.KWp, k % p.Cout);
}`,
    loadA: `let hw = p.Hq * p.Wq; let nb = m / hw; let th = m % hw / p.Wq; let tw = m % p.Wq;
  let j = tap(k);
  let oy = i32(p.qh0 + th) - i32(j.x);
  let ox = i32(p.qw0 + tw) - i32(j.y);
  if (u32(oy) >= p.Ho || u32(ox) >= p.Wo) { return 0.0; }
  return DY[((nb * p.Ho + u32(oy)) * p.Wo + u32(ox)) * p.Cout + j.z];`,
    loadB: `let j = tap(k);
  let kh = p.rh + j.x * p.S; let kw = p.rw + j.y * p.S;
  return Wt[((kh * p.KW + kw) * p.Cin + n) * p.Cout + j.z];`,
    storeC: `let hw = p.Hq * p.Wq; let nb = m / hw; let th = m % hw / p.Wq; let tw = m % p.Wq;
  DX[((nb * p.H + p.ih0 + th * p.S) * p.W + p.iw0 + tw * p.S) * p.Cin + n] = v;`,
    aAlongK: "true",
    bAlongK: "true",
  },
  dw: {
    loadA: `let ci = m % p.Cin; let t = m / p.Cin;
  let hw = p.Ho * p.Wo; let kg = b * p.K + k;
  let nb = kg / hw; let oh = kg % hw / p.Wo; let ow = kg % p.Wo;
  if (nb >= p.Nb) { return 0.0; }
  let iy = i32(oh * p.S + t / p.KW) - i32(p.P);
  let ix = i32(ow * p.S + t % p.KW) - i32(p.P);
  if (u32(iy) >= p.H || u32(ix) >= p.W) { return 0.0; }
  return X[((nb * p.H + u32(iy)) * p.W + u32(ix)) * p.Cin + ci];`,
    loadB: `let kg = b * p.K + k;
  if (kg >= p.Nb * p.Ho * p.Wo) { return 0.0; }
  return DY[kg * p.Cout + n];`,
    storeC: "DW[(b * p.M + m) * p.Cout + n] = v;",
    aAlongK: "false",
    bAlongK: "false",
  },
};
