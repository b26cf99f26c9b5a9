/**
 * Float64 CPU references of the latent kernels (`latent.ts`).
 * @module
 */

const EPS = 1e-12;

function normalizeRow(v: number[]): number[] {
  const n = Math.max(Math.hypot(...v), EPS);
  return v.map((x) => x / n);
}

/** CPU reference of {@link latentStep} on row-major [rows, d] arrays. */
export function latentStepRef(
  z: ArrayLike<number>,
  grad: ArrayLike<number>,
  rows: number,
  d: number,
  beta: number,
  alpha: number,
): { next: Float64Array; target: Float64Array } {
  const next = new Float64Array(rows * d);
  const target = new Float64Array(rows * (d + 1));
  for (let i = 0; i < rows; i++) {
    const zi = Array.from({ length: d }, (_, j) => z[i * d + j]);
    const v = normalizeRow(zi.map((x, j) => x - beta * grad[i * d + j]));
    next.set(v, i * d);
    target.set(v, i * (d + 1));
    target[i * (d + 1) + d] = alpha * Math.hypot(...v.map((x, j) => x - zi[j]));
  }
  return { next, target };
}

/** CPU reference of {@link latentMove}. */
export function latentMoveRef(
  z: ArrayLike<number>,
  out: ArrayLike<number>,
  rows: number,
  d: number,
  momentum: boolean,
): Float64Array {
  const next = new Float64Array(rows * d);
  for (let i = 0; i < rows; i++) {
    const zi = Array.from({ length: d }, (_, j) => z[i * d + j]);
    const r = Array.from({ length: d }, (_, j) => out[i * (d + 1) + j]);
    if (!momentum) {
      next.set(normalizeRow(r), i * d);
      continue;
    }
    const rho = out[i * (d + 1) + d];
    const step = rho / Math.max(Math.hypot(...r.map((x, j) => x - zi[j])), EPS);
    next.set(normalizeRow(zi.map((x, j) => x + step * (r[j] - x))), i * d);
  }
  return next;
}
