/**
 * Workgroup grids: splitting a linear count over the per-dimension limit, ceiling division.
 * (Uniform parameters are packed by each kernel's declaration, `kernel.ts`.)
 */

/** Largest workgroup count per dimension that WebGPU guarantees. */
export const MAX_WORKGROUPS_PER_DIM = 65535;

/**
 * Splits `count` workgroups into an (x, y) grid within the per-dimension limit.
 * In WGSL recover the linear index as `wid.x + wid.y * nwg.x` (with
 * `@builtin(num_workgroups) nwg`) and skip indices ≥ count.
 */
export function grid1d(count: number): [number, number] {
  if (count <= MAX_WORKGROUPS_PER_DIM) return [Math.max(1, count), 1];
  const y = Math.ceil(count / MAX_WORKGROUPS_PER_DIM);
  return [Math.ceil(count / y), y];
}

/** Ceiling division. */
export function ceilDiv(a: number, b: number): number {
  return Math.ceil(a / b);
}
