/**
 * Matrix products on the GPU: plain, batched and shared-weight, with optional transposes.
 *
 * Shapes travel in uniforms, so each pipeline serves every shape; the pipeline key encodes only
 * the kernel family, the transposes and whether vec4 loads are possible.
 */
import type { KernelProfile } from "../device.ts";
import { params } from "../params.ts";
import type { Tensor } from "../tensor.ts";
import { matmulGeometry, type MatmulTransposes } from "./matmul_shape.ts";
import {
  binding,
  checkGroups,
  columnVec,
  comp,
  CPU_BLOCK,
  cpuKernel,
  cpuLayout,
  multiplyAdd,
  range,
  storeBlock,
  tiledGemm,
  tiledGroups,
  uniforms,
} from "./matmul_wgsl.ts";

export type { MatmulTransposes } from "./matmul_shape.ts";

/** Options of {@link matmul}. */
export interface MatmulOptions extends MatmulTransposes {
  /** Kernel family to use; defaults to the adapter's profile (tests force each). */
  variant?: KernelProfile;
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
  const u = params().u32(m).u32(n).u32(k).u32(m * k).u32(sharedB ? 0 : k * n).u32(m * n);
  // Element strides of A along m and k, and of B along k and n.
  u.u32(tA ? 1 : k).u32(tA ? m : 1).u32(tB ? 1 : n).u32(tB ? k : 1);
  if ((opts.variant ?? gpu.adapter.profile) === "cpu") {
    const vec = vectorizable(tA, m, n, k);
    const { wgx, groups } = cpuLayout(m, n);
    const workgroups = [groups[0], groups[1], batch] as const;
    checkGroups("matmul", workgroups);
    gpu.run({
      name: "matmul_cpu",
      key: vec ? `${tA ? "t" : "n"}${tB ? "t" : "n"}4` : "1",
      source: () => (vec ? cpuVecSource(tA, tB) : cpuScalarSource()),
      buffers: [a, b, out],
      params: u.u32(wgx).build(),
      workgroups,
    });
  } else {
    const workgroups = tiledGroups(m, n, batch);
    checkGroups("matmul", workgroups);
    gpu.run({
      name: "matmul_gpu",
      key: "",
      source: gpuSource,
      buffers: [a, b, out],
      params: u.u32(0).build(),
      workgroups,
    });
  }
  return out;
}

const FIELDS = ["M", "N", "K", "sA", "sB", "sC", "am", "ak", "bk", "bn", "wgx"];

/**
 * vec4 loads need the contiguous axis of each operand, and of the output, to be a multiple of 4;
 * the K loop steps by 4, so K must be one too whatever the transposes.
 */
function vectorizable(tA: boolean, m: number, n: number, k: number): boolean {
  return k % 4 === 0 && (!tA || m % 4 === 0) && n % 4 === 0;
}

function head(vec: boolean): string {
  return [
    binding(0, "A", vec),
    binding(1, "B", vec),
    binding(2, "C", vec, true),
    uniforms(3, FIELDS),
  ].join("\n");
}

function cpuMatmul(vec: boolean, setup: string[], loop: string): string {
  const store = storeBlock("C", vec, {
    ok: (i) => `row0 + ${i}u < p.M`,
    offset: (i) => `cOff + (row0 + ${i}u) * p.N`,
  });
  return cpuKernel(head(vec), ["let cOff = wid.z * p.sC;", ...setup], loop, store);
}

/**
 * The cpu-family vec4 kernel: K steps by 4 with vec4 loads along K for a plain A and along M
 * for a transposed one, along N for a plain B and along K for a transposed one (the register
 * transpose is free on llvmpipe's SoA vectors). Rows and columns past the edge read clamped,
 * valid addresses and are not stored, so the inner loop carries no guard.
 */
function cpuVecSource(tA: boolean, tB: boolean): string {
  const T = CPU_BLOCK;
  const setup = [
    "let aOff = wid.z * p.sA / 4u;",
    "let bOff = wid.z * p.sB / 4u;",
    "let K4 = p.K / 4u;",
    "let M4 = p.M / 4u;",
    "let N4 = p.N / 4u;",
    ...(tA
      ? range(T / 4).map((g) => `let a${g} = aOff + min(row0 / 4u + ${g}u, M4 - 1u);`)
      : range(T).map((i) => `let a${i} = aOff + min(row0 + ${i}u, p.M - 1u) * K4;`)),
    ...(tB
      ? range(T).map((j) => `let b${j} = bOff + min(col0 + ${j}u, p.N - 1u) * K4;`)
      : range(T / 4).map((v) => `let b${v} = bOff + min(col0 / 4u + ${v}u, N4 - 1u);`)),
  ];
  const aLoad = tA
    ? (i: number) =>
      i % 4 === 0
        ? range(4).map((kk) => `let av${kk}_${i / 4} = A[a${i / 4} + (k + ${kk}u) * M4];`)
        : []
    : (i: number) => [`let av${i} = A[a${i} + kq];`];
  const bLoad = tB
    ? range(T).map((j) => `let bv${j} = B[b${j} + kq];`)
    : range(4).flatMap((kk) =>
      range(T / 4).map((v) => `let bv${kk}_${v} = B[b${v} + (k + ${kk}u) * N4];`)
    );
  const aVal = tA
    ? (i: number, kk: number) => `av${kk}_${i >> 2}.${comp(i & 3)}`
    : (i: number, kk: number) => `av${i}.${comp(kk)}`;
  const bVal = tB
    ? (kk: number, v: number) =>
      `vec4<f32>(${range(4).map((t) => `bv${4 * v + t}.${comp(kk)}`).join(", ")})`
    : (kk: number, v: number) => `bv${kk}_${v}`;
  return cpuMatmul(
    true,
    setup,
    `for (var kq = 0u; kq < K4; kq++) {
    let k = kq * 4u;
    ${bLoad.join("\n    ")}
    ${multiplyAdd(4, aVal, bVal, aLoad)}
  }`,
  );
}

/**
 * The cpu-family scalar kernel for any shape: K steps by 1 with scalar loads; the transposes
 * are the stride uniforms.
 */
function cpuScalarSource(): string {
  const T = CPU_BLOCK;
  const setup = [
    "let aOff = wid.z * p.sA;",
    "let bOff = wid.z * p.sB;",
    ...range(T).map((i) => `let a${i} = aOff + min(row0 + ${i}u, p.M - 1u) * p.am;`),
    ...range(T).map((j) => `let b${j} = bOff + min(col0 + ${j}u, p.N - 1u) * p.bn;`),
  ];
  const bLoad = range(T).map((j) => `let bv${j} = B[b${j} + kb];`);
  const bVec = range(T / 4).map((v) => `let bq${v} = ${columnVec(v)};`);
  return cpuMatmul(
    false,
    setup,
    `for (var k = 0u; k < p.K; k++) {
    let ka = k * p.ak;
    let kb = k * p.bk;
    ${[...bLoad, ...bVec].join("\n    ")}
    ${multiplyAdd(1, (i) => `av${i}`, (_, v) => `bq${v}`, (i) => [`let av${i} = A[a${i} + ka];`])}
  }`,
  );
}

/** The gpu-family kernel: the tiled GEMM over strided element loads. */
function gpuSource(): string {
  return tiledGemm({
    header: head(false),
    loadA: "return A[b * p.sA + m * p.am + k * p.ak];",
    loadB: "return B[b * p.sB + k * p.bk + n * p.bn];",
    storeC: "C[b * p.sC + m * p.N + n] = v;",
    aAlongK: "p.ak == 1u",
    bAlongK: "p.bk == 1u",
  });
}
