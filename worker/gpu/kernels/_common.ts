/**
 * Helpers shared by the kernel families (internal; not re-exported): linear dispatches over
 * vec4 items, shape checks, and a workgroup sum in WGSL.
 *
 * Vector kernels read and write `array<vec4<f32>>` over `ceil(size / 4)` items. That stays inside
 * the binding because pooled buffers are whole multiples of 256 bytes; the few lanes past `size`
 * are pool slack that no tensor view ever exposes.
 */
import { ceilDiv, grid1d } from "../params.ts";
import type { Tensor } from "../tensor.ts";

/** Invocations per workgroup of the linear (1-D) kernels. */
export const WG = 64;

/**
 * WGSL opening of a linear kernel's entry point: defines `gi`, the global invocation index of a
 * {@link linearGrid} dispatch. The caller closes the function body.
 */
export const LINEAR_MAIN = `@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let gi = (wid.x + wid.y * nwg.x) * ${WG}u + lid;`;

/** Workgroup grid that gives at least `count` invocations of a {@link LINEAR_MAIN} kernel. */
export function linearGrid(count: number): [number, number] {
  return grid1d(ceilDiv(count, WG));
}

/** Number of vec4 items covering `n` floats. */
export function vec4Count(n: number): number {
  return ceilDiv(n, 4);
}

/** Formats a shape for error messages. */
export function fmt(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** True when both shapes have the same rank and dimensions. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Throws a RangeError unless every tensor has the shape of the first. */
export function requireSameShape(op: string, ...ts: Tensor[]): void {
  for (const t of ts.slice(1)) {
    if (!sameShape(t.shape, ts[0].shape)) {
      throw new RangeError(
        `Cannot ${op}: shapes ${ts.map((x) => fmt(x.shape)).join(", ")} must be equal`,
      );
    }
  }
}

/**
 * Throws a RangeError when a tensor updated in place shares storage with another operand
 * (`operands` lists every operand, the updated ones included).
 */
export function requireUnaliased(
  op: string,
  updated: readonly Tensor[],
  operands: readonly (Tensor | null)[],
): void {
  for (const u of updated) {
    if (operands.filter((o) => o?.buffer === u.buffer).length > 1) {
      throw new RangeError(`Cannot ${op}: an updated tensor shares storage with another operand`);
    }
  }
}

/** Normalises a possibly negative axis for `rank` dimensions. */
export function normAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new RangeError(`Cannot ${op}: axis ${axis} is out of range for rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Product of `shape[from..to)`. */
export function prod(shape: readonly number[], from = 0, to = shape.length): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= shape[i];
  return n;
}

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
