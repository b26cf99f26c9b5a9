/**
 * WGSL snippets shared by kernels in different folders.
 * @module
 */

/**
 * Declares `part` (workgroup memory) and `fn total(x: f32, lid: u32) -> f32`, the sum of `x` over
 * the `wg` invocations of a workgroup (a tree reduction; every invocation gets the total). `wg`
 * must be a power of two, and every invocation must call it (it holds barriers).
 */
export function workgroupTotalWgsl(wg: number): string {
  if (!Number.isInteger(Math.log2(wg))) {
    throw new RangeError(`Cannot build a workgroup sum for ${wg} invocations: not a power of two`);
  }
  return `
var<workgroup> part: array<f32, ${wg}>;
fn total(x: f32, lid: u32) -> f32 {
  part[lid] = x;
  workgroupBarrier();
  for (var s = ${wg / 2}u; s > 0u; s >>= 1u) {
    if (lid < s) { part[lid] += part[lid + s]; }
    workgroupBarrier();
  }
  let r = part[0];
  workgroupBarrier();
  return r;
}
`;
}
