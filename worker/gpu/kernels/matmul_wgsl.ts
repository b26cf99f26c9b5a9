/**
 * WGSL building blocks shared by the matmul and convolution kernels.
 *
 * Two kernel families, picked per adapter profile (WEBGPU.md §2):
 * - "cpu" (llvmpipe): each of 64 threads owns a 16×16 register block of vec4 accumulators and
 *   reads its operands straight from storage, no workgroup memory. Storage loads are per-lane
 *   scalar loops there, so outputs per loaded value is what counts. The thread layout inside a
 *   workgroup (wide or skinny) is a uniform, so one pipeline serves every shape.
 * - "gpu": a classic workgroup-memory tiled GEMM (64×64 tile, 16-deep K slices, 256 threads with
 *   4×4 outputs each) over element loaders that guard every edge.
 *
 * Every kernel's uniform struct names its GEMM dimensions `M`, `N`, `K` and, for the cpu
 * family, the layout width `wgx`.
 */

/** Threads per workgroup of the cpu family. */
const CPU_THREADS = 64;

/**
 * The register block of one cpu-family thread: `rows` × `cols` outputs (`cols` a multiple of 4:
 * the accumulators are vec4 along N; `rows` a multiple of 4 for the transposed-A loads).
 */
export interface CpuBlock {
  readonly rows: number;
  readonly cols: number;
}

/** The block of the classic cpu kernels: 16 × 16 outputs per thread. */
export const CPU_BLOCK: CpuBlock = { rows: 16, cols: 16 };

const COMP = ["x", "y", "z", "w"];

/** `[0, 1, …, n - 1]`. */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** The `.x`/`.y`/`.z`/`.w` component name of index `i`. */
export function comp(i: number): string {
  return COMP[i];
}

/** Workgroup placement of a cpu-family dispatch. */
export interface CpuLayout {
  /** Threads along N per workgroup (the rest, 64 / wgx, go along M). */
  wgx: number;
  /** Workgroup counts along N and M. */
  groups: [number, number];
}

/**
 * Picks the thread layout that wastes the least padded area for an M×N output (ties go to the
 * squarest tile): skinny outputs get wide layouts (16×4 for M=64) and tall ones narrow.
 */
export function cpuLayout(m: number, n: number, blk: CpuBlock = CPU_BLOCK): CpuLayout {
  let best: { cost: number; skew: number; wgx: number } | null = null;
  for (let wgx = 1; wgx <= CPU_THREADS; wgx *= 2) {
    const tileM = blk.rows * (CPU_THREADS / wgx);
    const tileN = blk.cols * wgx;
    const cost = Math.ceil(m / tileM) * tileM * Math.ceil(n / tileN) * tileN;
    const skew = Math.abs(Math.log2(tileM / tileN));
    if (!best || cost < best.cost || (cost === best.cost && skew < best.skew)) {
      best = { cost, skew, wgx };
    }
  }
  const wgx = best!.wgx;
  return {
    wgx,
    groups: [Math.ceil(n / (blk.cols * wgx)), Math.ceil(m / (blk.rows * (CPU_THREADS / wgx)))],
  };
}

/**
 * Start of a cpu-family entry point: declares `row0`/`col0` (first row and column of this
 * thread's block) and returns early for threads whose block lies entirely outside.
 */
function cpuPrologue(blk: CpuBlock): string {
  return `@compute @workgroup_size(${CPU_THREADS})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let wgx = p.wgx;
  let tx = lid % wgx;
  let ty = lid / wgx;
  let row0 = (wid.y * (${CPU_THREADS}u / wgx) + ty) * ${blk.rows}u;
  let col0 = (wid.x * wgx + tx) * ${blk.cols}u;
  if (row0 >= p.M || col0 >= p.N) {
    return;
  }`;
}

/**
 * The entry point of a cpu-family kernel (the header comes from its declaration):
 * {@link cpuPrologue}, per-thread `setup` statements, the accumulators, the K `loop`, and the
 * `store` of {@link storeBlock}.
 */
export function cpuKernel(
  blk: CpuBlock,
  setup: readonly string[],
  loop: string,
  store: string,
): string {
  return `${cpuPrologue(blk)}
  ${setup.join("\n  ")}
${accumulators(blk)}
  ${loop}
${store}
}`;
}

/** The vec4 of columns 4v … 4v+3 built from per-column scalars `bv{j}` (free on SoA SIMD). */
export function columnVec(v: number): string {
  return `vec4<f32>(${range(4).map((t) => `bv${4 * v + t}`).join(", ")})`;
}

/** Declares the rows × cols/4 accumulators `c{i}_{jv}` (vec4 along N). */
function accumulators(blk: CpuBlock): string {
  return range(blk.rows)
    .map((i) => "  " + range(blk.cols / 4).map((jv) => `var c${i}_${jv} = vec4<f32>();`).join(" "))
    .join("\n");
}

/**
 * One K step of multiply-adds: `c{i}_{jv} += Σ_kk a(i, kk) * b(kk, jv)` for `ks` values of k,
 * where `a` yields an f32 expression and `b` a vec4<f32> expression (4 consecutive columns).
 * `aLoads(i)` is emitted just before row i's statements: loading A row by row, next to its
 * use, keeps fewer values live (measured ~5 % faster on llvmpipe than loading all first).
 */
export function multiplyAdd(
  blk: CpuBlock,
  ks: number,
  a: (i: number, kk: number) => string,
  b: (kk: number, jv: number) => string,
  aLoads: (i: number) => string[] = () => [],
): string {
  const lines: string[] = [];
  for (let i = 0; i < blk.rows; i++) {
    lines.push(...aLoads(i));
    for (let jv = 0; jv < blk.cols / 4; jv++) {
      const terms = range(ks).map((kk) => `${a(i, kk)} * ${b(kk, jv)}`);
      lines.push(`c${i}_${jv} += ${terms.join(" + ")};`);
    }
  }
  return lines.join("\n    ");
}

/** Where {@link storeBlock} writes row `i` of the block. */
export interface RowTarget {
  /** WGSL bool: row `i` exists. */
  ok: (i: number) => string;
  /** WGSL u32: element offset of column 0 of row `i` in the output. */
  offset: (i: number) => string;
}

/**
 * Writes the accumulators to `out` (f32 elements, or vec4 when `vec`; then N % 4 == 0),
 * skipping rows that do not exist and columns ≥ `p.N`.
 */
export function storeBlock(
  blk: CpuBlock,
  out: string,
  vec: boolean,
  rows: RowTarget,
): string {
  const lines: string[] = [];
  for (let i = 0; i < blk.rows; i++) {
    const body: string[] = [];
    for (let jv = 0; jv < blk.cols / 4; jv++) {
      if (vec) {
        body.push(`if (col0 + ${4 * jv}u < p.N) { ${out}[o + ${jv}u] = c${i}_${jv}; }`);
      } else {
        for (let t = 0; t < 4; t++) {
          const j = 4 * jv + t;
          body.push(`if (col0 + ${j}u < p.N) { ${out}[o + ${j}u] = c${i}_${jv}.${COMP[t]}; }`);
        }
      }
    }
    const o = vec ? `(${rows.offset(i)} + col0) / 4u` : `${rows.offset(i)} + col0`;
    lines.push(`  if (${rows.ok(i)}) {\n    let o = ${o};\n    ${body.join("\n    ")}\n  }`);
  }
  return lines.join("\n");
}

/** The element loaders and store of a {@link tiledGemm} kernel. */
export interface TiledSpec {
  /** Helper functions the loaders use (the header comes from the kernel's declaration). */
  helpers?: string;
  /** Body of `fn loadA(b: u32, m: u32, k: u32) -> f32`; called only for m < M, k < K. */
  loadA: string;
  /** Body of `fn loadB(b: u32, k: u32, n: u32) -> f32`; called only for k < K, n < N. */
  loadB: string;
  /** Body of `fn storeC(b: u32, m: u32, n: u32, v: f32)`; called only for m < M, n < N. */
  storeC: string;
  /**
   * WGSL bool: consecutive k (rather than m) are adjacent in memory for A, so neighbouring
   * threads load along k (coalescing).
   */
  aAlongK: string;
  /** WGSL bool: consecutive k (rather than n) are adjacent in memory for B. */
  bAlongK: string;
}

/**
 * The shape of a workgroup-memory tiled GEMM: a `tile` × `tile` output tile per workgroup of
 * 16 × 16 threads, each owning `tile / 16` × `tile / 16` outputs; K staged `bk` at a time.
 */
export interface TileShape {
  readonly tile: number;
  readonly bk: number;
}

/** 64 × 64 tiles, 4 × 4 outputs per thread, K slices of 16 (8 KiB of workgroup memory). */
export const TILE_64: TileShape = { tile: 64, bk: 16 };

/** 128 × 128 tiles, 8 × 8 outputs per thread, K slices of 8 (8 KiB of workgroup memory). */
export const TILE_128: TileShape = { tile: 128, bk: 8 };

/**
 * A workgroup-memory tiled GEMM for hardware GPUs: a tile of outputs per workgroup of 256
 * threads, K in slices staged in workgroup memory, (tile/16)² outputs per thread (rows
 * ty + 16i, columns tx + 16j, so neighbouring threads touch neighbouring addresses).
 * Dispatch with `tiledGroups`; `wid.z` is passed to the loaders as the batch index.
 */
export function tiledGemm(spec: TiledSpec, shape: TileShape): string {
  const { tile: t, bk } = shape;
  const per = t / 16;
  const perThread = (t * bk) / 256;
  const split = (alongK: string, other: string) =>
    `let kk = select(e / ${t}u, e % ${bk}u, ${alongK}); ` +
    `let ${other} = select(e % ${t}u, e / ${bk}u, ${alongK});`;
  const accs = range(per).flatMap((i) =>
    range(per / 4).map((jv) => `var acc${i}_${jv} = vec4<f32>();`)
  );
  const aVals = range(per).map((i) => `let a${i} = sa[ar + ${16 * i}u];`);
  const bVals = range(per / 4).map((jv) =>
    `let b${jv} = vec4<f32>(${range(4).map((c) => `sb[br + ${16 * (4 * jv + c)}u]`).join(", ")});`
  );
  const fmas = range(per).flatMap((i) =>
    range(per / 4).map((jv) => `acc${i}_${jv} += a${i} * b${jv};`)
  );
  const stores = range(per).flatMap((i) =>
    range(per).map((j) =>
      `if (m0 + ${16 * i}u < p.M && n0 + ${16 * j}u < p.N) { storeC(b, m0 + ${16 * i}u, n0 + ${
        16 * j
      }u, acc${i}_${j >> 2}.${COMP[j & 3]}); }`
    )
  );
  return `${spec.helpers ?? ""}
fn loadA(b: u32, m: u32, k: u32) -> f32 {
  ${spec.loadA}
}
fn loadB(b: u32, k: u32, n: u32) -> f32 {
  ${spec.loadB}
}
fn storeC(b: u32, m: u32, n: u32, v: f32) {
  ${spec.storeC}
}
var<workgroup> sa: array<f32, ${t * bk}>;
var<workgroup> sb: array<f32, ${t * bk}>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let b = wid.z;
  let tm0 = wid.y * ${t}u;
  let tn0 = wid.x * ${t}u;
  let tx = lid % 16u;
  let ty = lid / 16u;
  ${accs.join("\n  ")}
  for (var k0 = 0u; k0 < p.K; k0 += ${bk}u) {
    for (var r = 0u; r < ${perThread}u; r++) {
      let e = lid + 256u * r;
      {
        ${split(spec.aAlongK, "mm")}
        let m = tm0 + mm;
        let k = k0 + kk;
        var v = 0.0;
        if (m < p.M && k < p.K) { v = loadA(b, m, k); }
        sa[kk * ${t}u + mm] = v;
      }
      {
        ${split(spec.bAlongK, "nn")}
        let n = tn0 + nn;
        let k = k0 + kk;
        var v = 0.0;
        if (n < p.N && k < p.K) { v = loadB(b, k, n); }
        sb[kk * ${t}u + nn] = v;
      }
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${bk}u; kk++) {
      let ar = kk * ${t}u + ty;
      let br = kk * ${t}u + tx;
      ${[...aVals, ...bVals, ...fmas].join("\n      ")}
    }
    workgroupBarrier();
  }
  let m0 = tm0 + ty;
  let n0 = tn0 + tx;
  ${stores.join("\n  ")}
}`;
}

/** Workgroup counts of a {@link tiledGemm} dispatch. */
export function tiledGroups(
  m: number,
  n: number,
  batch: number,
  shape: TileShape,
): [number, number, number] {
  return [Math.ceil(n / shape.tile), Math.ceil(m / shape.tile), batch];
}

/** Throws unless every workgroup count fits WebGPU's per-dimension limit. */
export function checkGroups(op: string, groups: readonly number[]): void {
  for (const g of groups) {
    if (g > 65535) {
      throw new RangeError(`Cannot ${op}: needs ${g} workgroups along one axis (limit 65535)`);
    }
  }
}
