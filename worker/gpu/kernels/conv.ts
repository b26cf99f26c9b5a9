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
  NO_PHASE,
  type Phase,
  phases,
} from "./conv_shape.ts";
import {
  type GemmShape,
  type GemmVariant,
  gemmVariant,
  type GemmVariantName,
  nearestClass,
} from "./gemm_variants.ts";
import { CPU_SOURCES, GPU_SPECS } from "./conv_wgsl.ts";
import {
  checkGroups,
  type CpuBlock,
  cpuLayout,
  tiledGemm,
  tiledGroups,
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
