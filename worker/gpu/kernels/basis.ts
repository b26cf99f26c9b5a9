/**
 * What the spherical-basis kernels (`zernike_moments.ts`, `basis_eval.ts`) share: the
 * recurrence constants they are built from, the coefficient layout they read and write, a
 * batch of weighted point sets, and WGSL snippets.
 *
 * The caller (`worker/spectral`) owns the mathematics and passes the recurrences in; the
 * kernels own only the evaluation order. Coefficients are in the canonical n-major order
 * `n(n+1)(n+2)/6 + l(l+1)/2 + m` (Zernike, n − l even, −l ≤ m ≤ l) or `l² + l + m` (SH).
 * @module
 */
import type { Tensor } from "../tensor.ts";

/**
 * Recurrence constants of the orthonormal 3-D Zernike radial functions and of the fully
 * normalised associated Legendre functions, up to `order`:
 * - radial, for k = (n − l)/2: k = 0: R = p·r^l; k = 1: R = r^l·(p·r² + q);
 *   k ≥ 2: R_n = (p·r² + q)·R_{n−2} − c·R_{n−4};
 * - Legendre: P̄_0^0 = 1/√(4π), P̄_m^m = sectoral(m)·sin θ·P̄_{m−1}^{m−1},
 *   P̄_{m+1}^m = √(2m+3)·cos θ·P̄_m^m, P̄_l^m = a·(cos θ·P̄_{l−1}^m − b·P̄_{l−2}^m) for l ≥ m + 2.
 * Real SH: Y_l0 = P̄_l^0, Y_lm = √2 P̄_l^m cos mφ, Y_l,−m = √2 P̄_l^m sin mφ.
 */
export interface BasisRecurrences {
  /** Names these tables (generated kernels inline them: part of the pipeline cache key). */
  readonly key: string;
  /** Highest order n (Zernike) or degree l (SH) the tables cover. */
  readonly order: number;
  /** [p, q, c] of the radial step to (n, l). */
  radial(n: number, l: number): readonly [number, number, number];
  /** [a, b] of the Legendre step to (l, m), l ≥ m + 2. */
  legendre(l: number, m: number): readonly [number, number];
  /** The sectoral factor of degree m ≥ 1. */
  sectoral(m: number): number;
}

/** P̄_0^0 = 1/√(4π). */
export const Y00 = 1 / Math.sqrt(4 * Math.PI);

/** Index of Z_nlm in the canonical n-major order. */
export function coefficientIndex(n: number, l: number, m: number): number {
  return (n * (n + 1) * (n + 2)) / 6 + (l * (l + 1)) / 2 + m;
}

/** A batch of weighted point sets on the GPU: `[shapes, chunks · chunk, 4]` of (x, y, z, w). */
export interface PointBatch {
  tensor: Tensor;
  shapes: number;
  chunks: number;
  chunk: number;
}

/** A WGSL float literal for `x` (9 significant digits, parenthesised when negative). */
export function lit(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`Cannot write ${x} as a WGSL literal`);
  const s = x.toPrecision(9);
  const t = s.includes(".") || s.includes("e") ? s : `${s}.0`;
  return x < 0 ? `(${t})` : t;
}

/**
 * WGSL statements that derive, from `x, y, z`, the radius `r`, `r2`, cos/sin of the
 * colatitude (`ct`, `st`) and of the azimuth (`cp`, `sp`) without trigonometric inverses
 * (r = 0 maps to +z, the poles to φ = 0).
 */
export const DIRECTION_WGSL = `
    let rxy2 = x * x + y * y;
    let r2 = rxy2 + z * z;
    let r = sqrt(r2);
    let rxy = sqrt(rxy2);
    let ir = select(0.0, 1.0 / r, r > 0.0);
    let ct = select(1.0, z * ir, r > 0.0);
    let st = rxy * ir;
    let ixy = select(0.0, 1.0 / rxy, rxy > 0.0);
    let cp = select(1.0, x * ixy, rxy > 0.0);
    let sp = y * ixy;`;

/** WGSL opening of a 64-wide linear entry point: `t` is the invocation's index. */
export const LINEAR_64_MAIN = `@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = gid.x + gid.y * nwg.x * 64u;`;
