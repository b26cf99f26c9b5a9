/**
 * Matrix products on the GPU: plain, batched and shared-weight, with optional transposes.
 *
 * Shapes travel in uniforms, so each pipeline serves every shape; the pipeline key encodes only
 * the kernel family, the transposes and whether vec4 loads are possible.
 */
import { kernel, read, readWrite } from "../kernel.ts";
import type { Tensor } from "../tensor.ts";
import {
  type GemmShape,
  gemmVariant,
  type GemmVariantName,
  nearestClass,
} from "./gemm_variants.ts";
import { matmulGeometry, type MatmulTransposes } from "./matmul_shape.ts";
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
  type TileShape,
} from "./matmul_wgsl.ts";

export type { MatmulTransposes } from "./matmul_shape.ts";

/** Options of {@link matmul}. */
export interface MatmulOptions extends MatmulTransposes {
  /** GEMM variant to use; defaults to the device's choice for the shape class (tests force each). */
  variant?: GemmVariantName;
}

/**
 * Shape classes of matrix products, named after their representative (tuned) shapes; a product
 * belongs to the nearest one (see `nearestClass`).
 */
export const MATMUL_CLASSES: Readonly<Record<string, GemmShape>> = {
  "128x64x64": { m: 128, n: 64, k: 64 },
  "256": { m: 256, n: 256, k: 256 },
  "1024": { m: 1024, n: 1024, k: 1024 },
  "64x4096x512": { m: 64, n: 4096, k: 512 },
  "4096x64x512": { m: 4096, n: 64, k: 512 },
};

/** The shape class of an M×N×K product. */
export function matmulClass(m: number, n: number, k: number): string {
  return nearestClass(MATMUL_CLASSES, m, n, k);
}

/**
 * `a · b` → a new tensor: a [M, K] (or [K, M] with `transA`), b [K, N] (or [N, K] with
 * `transB`) gives [M, N]; a [B, M, K] with b [B, K, N], or with a shared b [K, N], gives
 * [B, M, N]. Records one dispatch.
 */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  const { batch, m, n, k, sharedB, outShape } = matmulGeometry(a.shape, b.shape, opts);
  if (a.gpu !== b.gpu) throw new Error("Cannot matmul: the tensors live on different devices");
  const gpu = a.gpu;
  const out = gpu.empty(outShape);
  if (out.size === 0) return out;
  const tA = Boolean(opts.transA);
  const tB = Boolean(opts.transB);
  const name = opts.variant ?? gpu.kernels.pick("matmul", matmulClass(m, n, k));
  const variant = gemmVariant("matmul", name);
  const uniforms = {
    M: m,
    N: n,
    K: k,
    sA: m * k,
    sB: sharedB ? 0 : k * n,
    sC: m * n,
    // Element strides of A along m and k, and of B along k and n.
    am: tA ? 1 : k,
    ak: tA ? m : 1,
    bk: tB ? 1 : n,
    bn: tB ? k : 1,
    wgx: 0,
  };
  if (variant.kind === "cpu") {
    const vec = vectorizable(tA, m, n, k);
    const { wgx, groups } = cpuLayout(m, n, variant.block);
    const workgroups = [groups[0], groups[1], batch] as const;
    checkGroups("matmul", workgroups);
    MATMUL_CPU.run(gpu, {
      variant: { block: variant.block, vec, tA, tB },
      buffers: { A: a, B: b, C: out },
      uniforms: { ...uniforms, wgx },
      workgroups,
    });
  } else {
    const workgroups = tiledGroups(m, n, batch, variant.tile);
    checkGroups("matmul", workgroups);
    MATMUL_TILED.run(gpu, {
      variant: variant.tile,
      buffers: { A: a, B: b, C: out },
      uniforms,
      workgroups,
    });
  }
  return out;
}

/** Uniforms of every matmul kernel: sizes, batch strides, element strides, cpu layout. */
const UNIFORMS = {
  M: "u32",
  N: "u32",
  K: "u32",
  sA: "u32",
  sB: "u32",
  sC: "u32",
  am: "u32",
  ak: "u32",
  bk: "u32",
  bn: "u32",
  wgx: "u32",
} as const;

/** What selects a cpu-family matmul source. */
interface CpuVariant {
  block: CpuBlock;
  vec: boolean;
  tA: boolean;
  tB: boolean;
}

const blockKey = (b: CpuBlock) => `${b.rows}x${b.cols}`;

const MATMUL_CPU = kernel({
  name: "matmul_cpu",
  bindings: ({ vec }: CpuVariant) => {
    const t = vec ? "vec4<f32>" : "f32";
    return { A: read(t), B: read(t), C: readWrite(t) };
  },
  uniforms: UNIFORMS,
  key: (v) => `${blockKey(v.block)}|${v.vec ? `${v.tA ? "t" : "n"}${v.tB ? "t" : "n"}4` : "1"}`,
  body: (v) => (v.vec ? cpuVecSource(v.block, v.tA, v.tB) : cpuScalarSource(v.block)),
});

const MATMUL_TILED = kernel({
  name: "matmul_gpu",
  bindings: { A: read(), B: read(), C: readWrite() },
  uniforms: UNIFORMS,
  key: (t: TileShape) => `${t.tile}x${t.bk}`,
  body: (t) =>
    tiledGemm({
      loadA: "return A[b * p.sA + m * p.am + k * p.ak];",
      loadB: "return B[b * p.sB + k * p.bk + n * p.bn];",
      storeC: "C[b * p.sC + m * p.N + n] = v;",
      aAlongK: "p.ak == 1u",
      bAlongK: "p.bk == 1u",
    }, t),
});

/**
 * vec4 loads need the contiguous axis of each operand, and of the output, to be a multiple of 4;
 * the K loop steps by 4, so K must be one too whatever the transposes.
 */
function vectorizable(tA: boolean, m: number, n: number, k: number): boolean {
  return k % 4 === 0 && (!tA || m % 4 === 0) && n % 4 === 0;
}

function cpuMatmul(blk: CpuBlock, vec: boolean, setup: string[], loop: string): string {
  const store = storeBlock(blk, "C", vec, {
    ok: (i) => `row0 + ${i}u < p.M`,
    offset: (i) => `cOff + (row0 + ${i}u) * p.N`,
  });
  return cpuKernel(blk, ["let cOff = wid.z * p.sC;", ...setup], loop, store);
}

/**
 * The cpu-family vec4 kernel: K steps by 4 with vec4 loads along K for a plain A and along M
 * for a transposed one, along N for a plain B and along K for a transposed one (the register
 * transpose is free on llvmpipe's SoA vectors). Rows and columns past the edge read clamped,
 * valid addresses and are not stored, so the inner loop carries no guard.
 */
function cpuVecSource(blk: CpuBlock, tA: boolean, tB: boolean): string {
  const R = blk.rows;
  const C = blk.cols;
  const setup = [
    "let aOff = wid.z * p.sA / 4u;",
    "let bOff = wid.z * p.sB / 4u;",
    "let K4 = p.K / 4u;",
    "let M4 = p.M / 4u;",
    "let N4 = p.N / 4u;",
    ...(tA
      ? range(R / 4).map((g) => `let a${g} = aOff + min(row0 / 4u + ${g}u, M4 - 1u);`)
      : range(R).map((i) => `let a${i} = aOff + min(row0 + ${i}u, p.M - 1u) * K4;`)),
    ...(tB
      ? range(C).map((j) => `let b${j} = bOff + min(col0 + ${j}u, p.N - 1u) * K4;`)
      : range(C / 4).map((v) => `let b${v} = bOff + min(col0 / 4u + ${v}u, N4 - 1u);`)),
  ];
  const aLoad = tA
    ? (i: number) =>
      i % 4 === 0
        ? range(4).map((kk) => `let av${kk}_${i / 4} = A[a${i / 4} + (k + ${kk}u) * M4];`)
        : []
    : (i: number) => [`let av${i} = A[a${i} + kq];`];
  const bLoad = tB
    ? range(C).map((j) => `let bv${j} = B[b${j} + kq];`)
    : range(4).flatMap((kk) =>
      range(C / 4).map((v) => `let bv${kk}_${v} = B[b${v} + (k + ${kk}u) * N4];`)
    );
  const aVal = tA
    ? (i: number, kk: number) => `av${kk}_${i >> 2}.${comp(i & 3)}`
    : (i: number, kk: number) => `av${i}.${comp(kk)}`;
  const bVal = tB
    ? (kk: number, v: number) =>
      `vec4<f32>(${range(4).map((t) => `bv${4 * v + t}.${comp(kk)}`).join(", ")})`
    : (kk: number, v: number) => `bv${kk}_${v}`;
  return cpuMatmul(
    blk,
    true,
    setup,
    `for (var kq = 0u; kq < K4; kq++) {
    let k = kq * 4u;
    ${bLoad.join("\n    ")}
    ${multiplyAdd(blk, 4, aVal, bVal, aLoad)}
  }`,
  );
}

/**
 * The cpu-family scalar kernel for any shape: K steps by 1 with scalar loads; the transposes
 * are the stride uniforms.
 */
function cpuScalarSource(blk: CpuBlock): string {
  const setup = [
    "let aOff = wid.z * p.sA;",
    "let bOff = wid.z * p.sB;",
    ...range(blk.rows).map((i) => `let a${i} = aOff + min(row0 + ${i}u, p.M - 1u) * p.am;`),
    ...range(blk.cols).map((j) => `let b${j} = bOff + min(col0 + ${j}u, p.N - 1u) * p.bn;`),
  ];
  const bLoad = range(blk.cols).map((j) => `let bv${j} = B[b${j} + kb];`);
  const bVec = range(blk.cols / 4).map((v) => `let bq${v} = ${columnVec(v)};`);
  return cpuMatmul(
    blk,
    false,
    setup,
    `for (var k = 0u; k < p.K; k++) {
    let ka = k * p.ak;
    let kb = k * p.bk;
    ${[...bLoad, ...bVec].join("\n    ")}
    ${
      multiplyAdd(blk, 1, (i) =>
        `av${i}`, (_, v) =>
        `bq${v}`, (i) => [`let av${i} = A[a${i} + ka];`])
    }
  }`,
  );
}
