/**
 * Float64 CPU reference of {@link matmul}, for kernel tests and finite-difference checks.
 */
import { matmulGeometry, type MatmulTransposes } from "./matmul_shape.ts";

/**
 * `a · b` in float64 with the shape rules of the GPU kernel (batched, shared `b`, transposes).
 * Returns the row-major product of shape `matmulGeometry(aShape, bShape, opts).outShape`.
 */
export function matmulRef(
  a: ArrayLike<number>,
  aShape: readonly number[],
  b: ArrayLike<number>,
  bShape: readonly number[],
  opts: MatmulTransposes = {},
): Float64Array {
  const { batch, m, n, k, sharedB } = matmulGeometry(aShape, bShape, opts);
  checkLength("a", a, batch * m * k);
  checkLength("b", b, (sharedB ? 1 : batch) * k * n);
  const out = new Float64Array(batch * m * n);
  for (let p = 0; p < batch; p++) {
    const ao = p * m * k;
    const bo = sharedB ? 0 : p * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) {
          const av = opts.transA ? a[ao + t * m + i] : a[ao + i * k + t];
          const bv = opts.transB ? b[bo + j * k + t] : b[bo + t * n + j];
          s += av * bv;
        }
        out[(p * m + i) * n + j] = s;
      }
    }
  }
  return out;
}

function checkLength(name: string, data: ArrayLike<number>, expected: number): void {
  if (data.length !== expected) {
    throw new RangeError(
      `Cannot compute reference matmul: ${name} has ${data.length} values, expected ${expected}`,
    );
  }
}
