/**
 * Shape rules of {@link matmul}: plain, batched and shared-weight products, with optional
 * transposes of either operand. Shared by the GPU kernels and the CPU reference.
 */

/** Transpose flags of a matrix product. */
export interface MatmulTransposes {
  /** Read `a` as transposed: its last two dimensions are [K, M]. */
  transA?: boolean;
  /** Read `b` as transposed: its last two dimensions are [N, K]. */
  transB?: boolean;
}

/** The GEMM dimensions of one product. */
export interface MatmulGeometry {
  /** Number of products (1 when `a` has rank 2). */
  batch: number;
  m: number;
  n: number;
  k: number;
  /** `b` has rank 2 and is used by every product of the batch. */
  sharedB: boolean;
  /** [M, N] or [batch, M, N]. */
  outShape: number[];
}

/**
 * Resolves the dimensions of `a · b`: `a` is [M, K] or [B, M, K] (last two swapped when
 * `transA`), `b` is [K, N], [B, K, N] or, for a batched `a`, a shared [K, N] (last two swapped
 * when `transB`). Throws a RangeError naming both shapes otherwise.
 */
export function matmulGeometry(
  aShape: readonly number[],
  bShape: readonly number[],
  opts: MatmulTransposes = {},
): MatmulGeometry {
  const fail = (why: string): never => {
    throw new RangeError(`Cannot matmul [${aShape}] by [${bShape}]: ${why}`);
  };
  if (aShape.length !== 2 && aShape.length !== 3) fail("a must have rank 2 or 3");
  if (bShape.length !== 2 && bShape.length !== 3) fail("b must have rank 2 or 3");
  if (aShape.length === 2 && bShape.length === 3) fail("a batched b needs a batched a");
  const batch = aShape.length === 3 ? aShape[0] : 1;
  if (bShape.length === 3 && bShape[0] !== batch) {
    fail(`batch sizes ${batch} and ${bShape[0]} differ`);
  }
  const [a0, a1] = aShape.slice(-2);
  const [b0, b1] = bShape.slice(-2);
  const [m, ka] = opts.transA ? [a1, a0] : [a0, a1];
  const [kb, n] = opts.transB ? [b1, b0] : [b0, b1];
  if (ka !== kb) fail(`inner dimensions ${ka} and ${kb} differ`);
  const outShape = aShape.length === 3 ? [batch, m, n] : [m, n];
  return { batch, m, n, k: ka, sharedB: bShape.length === 2, outShape };
}
