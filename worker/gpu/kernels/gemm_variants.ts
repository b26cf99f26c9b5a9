/**
 * The GEMM kernel variants shared by matmul and the three convolution kernels, and the shape
 * classes their choice is made for.
 *
 * A variant is either a cpu-family register block (threads read storage directly, no
 * workgroup memory: the fast shape on CPU adapters such as llvmpipe) or a workgroup-memory
 * tile (the classic GPU GEMM). Which one runs is the adapter's tuned choice per shape class
 * (`gpu/tuning`), or the fixed profile's default.
 */
import type { KernelProfile } from "../device.ts";
import { type CpuBlock, TILE_128, TILE_64, type TileShape } from "./matmul_wgsl.ts";

/** A GEMM variant: a cpu register block or a workgroup-memory tile. */
export type GemmVariant =
  | { readonly kind: "cpu"; readonly block: CpuBlock }
  | { readonly kind: "tiled"; readonly tile: TileShape };

/** Every GEMM variant by name. */
export const GEMM_VARIANTS = {
  /** 16 × 16 outputs per thread, storage loads only. */
  "cpu": { kind: "cpu", block: { rows: 16, cols: 16 } },
  /** 16 × 32 outputs per thread: more multiply-adds per loaded value, more registers. */
  "cpu-16x32": { kind: "cpu", block: { rows: 16, cols: 32 } },
  /** 32 × 16 outputs per thread. */
  "cpu-32x16": { kind: "cpu", block: { rows: 32, cols: 16 } },
  /** 64 × 64 workgroup tiles, 4 × 4 outputs per thread. */
  "gpu": { kind: "tiled", tile: TILE_64 },
  /** 128 × 128 workgroup tiles, 8 × 8 outputs per thread. */
  "gpu-128": { kind: "tiled", tile: TILE_128 },
} as const satisfies Record<string, GemmVariant>;

/** Name of a GEMM variant. */
export type GemmVariantName = keyof typeof GEMM_VARIANTS;

/** Every variant name, in a stable order (tests run each). */
export const GEMM_VARIANT_NAMES = Object.keys(GEMM_VARIANTS) as GemmVariantName[];

/** The variant a fixed profile uses for every GEMM. */
export const PROFILE_GEMM: Readonly<Record<KernelProfile, GemmVariantName>> = {
  cpu: "cpu",
  gpu: "gpu",
};

/** Throws a RangeError unless `name` is a GEMM variant. */
export function gemmVariant(op: string, name: string): GemmVariant {
  const v = (GEMM_VARIANTS as Record<string, GemmVariant>)[name];
  if (!v) {
    throw new RangeError(
      `Cannot ${op}: unknown kernel variant "${name}" (one of ${GEMM_VARIANT_NAMES.join(", ")})`,
    );
  }
  return v;
}

/** A representative GEMM of a shape class: the class is named after it. */
export interface GemmShape {
  readonly m: number;
  readonly n: number;
  readonly k: number;
}

/**
 * The class of an M×N×K GEMM among `representatives` (names → shapes): the nearest one in
 * log₂ space, so a 900×1100×1000 product falls in the class of 1024³.
 */
export function nearestClass(
  representatives: Readonly<Record<string, GemmShape>>,
  m: number,
  n: number,
  k: number,
): string {
  let best = "";
  let bestDist = Infinity;
  const lm = Math.log2(Math.max(m, 1));
  const ln = Math.log2(Math.max(n, 1));
  const lk = Math.log2(Math.max(k, 1));
  for (const [name, s] of Object.entries(representatives)) {
    const d = (lm - Math.log2(s.m)) ** 2 + (ln - Math.log2(s.n)) ** 2 +
      (lk - Math.log2(s.k)) ** 2;
    if (d < bestDist) {
      best = name;
      bestDist = d;
    }
  }
  return best;
}
