/**
 * Sum and mean over any set of axes.
 *
 * The shape is collapsed first: size-1 dimensions are dropped and neighbouring dimensions that
 * are both reduced or both kept are merged, leaving alternating blocks. The innermost reduced
 * block is then reduced as `[outer O, reduced R, inner I]` and the process repeats, so the usual
 * cases (last axis, all but the last, a middle axis, everything) take one pass. Two kernels:
 * - rows (`I == 1`): one workgroup per row, threads stride along the contiguous row (vec4 when
 *   the row length allows) and combine in workgroup memory;
 * - strided (`I > 1`, or short rows): one invocation per output element (vec4 along `I` when
 *   `I % 4 == 0`), walking the reduced axis with stride `I`.
 * Long reductions with few outputs are split into chunks written as partial sums and reduced
 * again, so the work spreads over many workgroups.
 */
import { kernel, read, readWrite, type StorageBinding } from "../kernel.ts";
import { ceilDiv, grid1d } from "../params.ts";
import type { Tensor } from "../tensor.ts";
import { fmt, LINEAR_MAIN, linearGrid, normAxis, prod, requireSameShape } from "./_common.ts";
import { type GemmShape, nearestClass } from "./gemm_variants.ts";

/**
 * An element map fused into the first reduction pass: a WGSL expression over `$0`, `$1`, ...
 * (the inputs at the current index, typed `f32` or `vec4<f32>`), e.g. `abs($0 - $1)`.
 * Every input has the same shape.
 */
export interface ReduceMap {
  /** Input tensors, all of one shape. */
  inputs: readonly Tensor[];
  /** WGSL expression valid for both `f32` and `vec4<f32>` operands. */
  expr: string;
}

/** Options of {@link reduceMapped}. */
export interface ReduceOptions {
  /** Keep reduced axes as size 1. Default false. */
  keepDims?: boolean;
  /** Divide by the number of reduced elements. Default false. */
  mean?: boolean;
  /** Row-kernel variant; defaults to the device's choice for the shape class. */
  variant?: RowsVariantName;
}

/** Workgroup sizes of the row-reduction kernel, by variant name. */
export const ROWS_VARIANTS = { wg64: 64, wg256: 256 } as const;

/** Name of a row-reduction variant. */
export type RowsVariantName = keyof typeof ROWS_VARIANTS;

/**
 * Shape classes of row reductions (`m` rows of length `k`), named after their representatives:
 * a few long rows (a loss summed over a batch) and many short ones.
 */
export const REDUCE_ROWS_CLASSES: Readonly<Record<string, GemmShape>> = {
  "8x65536": { m: 8, n: 1, k: 65536 },
  "4096x256": { m: 4096, n: 1, k: 256 },
};

const MIN_ROW = 64;
const ROW_CHUNK = 4096;
const ROWS_PARALLEL = 64;
const STRIDED_CHUNK = 256;
const STRIDED_PARALLEL = 1024;

/**
 * Sums `x` over `axes` (negative axes count from the end; `null` means all axes).
 * Without `keepDims` the reduced axes are removed (a full reduction has shape `[]`).
 */
export function sum(
  x: Tensor,
  axes: number | readonly number[] | null = null,
  keepDims = false,
): Tensor {
  return reduceMapped({ inputs: [x], expr: "$0" }, axes, { keepDims });
}

/** Mean of `x` over `axes`; see {@link sum}. */
export function mean(
  x: Tensor,
  axes: number | readonly number[] | null = null,
  keepDims = false,
): Tensor {
  return reduceMapped({ inputs: [x], expr: "$0" }, axes, { keepDims, mean: true });
}

/**
 * Sums (or averages) `map.expr` evaluated elementwise over the inputs, reducing `axes`;
 * the map costs no extra dispatch or buffer.
 */
export function reduceMapped(
  map: ReduceMap,
  axes: number | readonly number[] | null,
  opts: ReduceOptions = {},
): Tensor {
  const op = opts.mean ? "mean" : "sum";
  if (map.inputs.length === 0) throw new RangeError(`Cannot ${op}: no input tensors`);
  requireSameShape(op, ...map.inputs);
  const x = map.inputs[0];
  const shape = x.shape;
  const reduced = reducedAxes(op, shape, axes);
  const outShape = shape.flatMap((d, i) => reduced[i] ? (opts.keepDims ? [1] : []) : [d]);
  const count = prod(shape.filter((_, i) => reduced[i]));
  const outSize = prod(outShape);
  if (outSize === 0) return x.gpu.empty(outShape);
  if (count === 0) {
    if (opts.mean) throw new RangeError(`Cannot mean over ${fmt(shape)}: no elements to average`);
    return x.gpu.zeros(outShape);
  }
  let blocks = collapse(shape.map((size, i) => ({ size, reduced: reduced[i] })));
  let cur = map;
  let owned: Tensor | null = null;
  for (;;) {
    const j = blocks.findLastIndex((b) => b.reduced);
    const last = blocks.findIndex((b) => b.reduced) === j;
    const outer = j < 0 ? outSize : prod(blocks.slice(0, j).map((b) => b.size));
    const len = j < 0 ? 1 : blocks[j].size;
    const inner = j < 0 ? 1 : prod(blocks.slice(j + 1).map((b) => b.size));
    const scale = last ? 1 / (opts.mean ? count : 1) : 1;
    const next = reduce3(cur, outer, len, inner, scale, opts.variant);
    owned?.dispose();
    owned = next;
    cur = { inputs: [next], expr: "$0" };
    if (last) break;
    blocks = collapse(blocks.filter((_, k) => k !== j));
  }
  const out = owned.reshape(outShape);
  owned.dispose();
  return out;
}

interface Block {
  size: number;
  reduced: boolean;
}

function reducedAxes(
  op: string,
  shape: readonly number[],
  axes: number | readonly number[] | null,
): boolean[] {
  const flags = shape.map(() => axes === null);
  if (axes === null) return flags;
  for (const a of typeof axes === "number" ? [axes] : axes) {
    const k = normAxis(op, a, shape.length);
    if (flags[k]) throw new RangeError(`Cannot ${op}: axis ${a} is listed twice`);
    flags[k] = true;
  }
  return flags;
}

function collapse(blocks: readonly Block[]): Block[] {
  const out: Block[] = [];
  for (const b of blocks) {
    if (b.size === 1) continue;
    const prev = out.at(-1);
    if (prev && prev.reduced === b.reduced) prev.size *= b.size;
    else out.push({ ...b });
  }
  return out;
}

/** Reduces the middle axis of `[outer, len, inner]`, returning a flat `[outer * inner]`. */
function reduce3(
  map: ReduceMap,
  outer: number,
  len: number,
  inner: number,
  scale: number,
  variant?: RowsVariantName,
): Tensor {
  const gpu = map.inputs[0].gpu;
  if (inner === 1 && len >= MIN_ROW) {
    const name = variant ??
      gpu.kernels.pick("reduce_rows", nearestClass(REDUCE_ROWS_CLASSES, outer, 1, len));
    const wg = ROWS_VARIANTS[name as RowsVariantName];
    if (wg === undefined) {
      throw new RangeError(`Cannot reduce: unknown row-kernel variant "${name}"`);
    }
    const chunks = outer >= ROWS_PARALLEL || len <= ROW_CHUNK ? 1 : ceilDiv(len, ROW_CHUNK);
    const chunk = chunks === 1 ? len : ROW_CHUNK;
    const vec = len % 4 === 0;
    const w = vec ? 4 : 1;
    const out = gpu.empty([outer * chunks]);
    REDUCE_ROWS.run(gpu, {
      variant: { inputs: map.inputs.length, expr: map.expr, vec, wg },
      buffers: { ...inputBuffers(map), out },
      uniforms: {
        groups: outer * chunks,
        chunks,
        chunk: chunk / w,
        len: len / w,
        scale: chunks === 1 ? scale : 1,
      },
      workgroups: grid1d(outer * chunks),
    });
    if (chunks === 1) return out;
    const rest = reduce3({ inputs: [out], expr: "$0" }, outer, chunks, 1, scale, variant);
    out.dispose();
    return rest;
  }
  const chunks = outer * inner >= STRIDED_PARALLEL || len <= STRIDED_CHUNK
    ? 1
    : ceilDiv(len, STRIDED_CHUNK);
  const chunk = chunks === 1 ? len : STRIDED_CHUNK;
  const vec = inner % 4 === 0;
  const w = vec ? 4 : 1;
  const out = gpu.empty([outer * chunks * inner]);
  const total = outer * chunks * inner / w;
  REDUCE_STRIDED.run(gpu, {
    variant: { inputs: map.inputs.length, expr: map.expr, vec },
    buffers: { ...inputBuffers(map), out },
    uniforms: { total, inner: inner / w, chunks, chunk, len, scale: chunks === 1 ? scale : 1 },
    workgroups: linearGrid(total),
  });
  if (chunks === 1) return out;
  const rest = reduce3({ inputs: [out], expr: "$0" }, outer, chunks, inner, scale, variant);
  out.dispose();
  return rest;
}

/** What selects a reduction source: the input count, the fused map, vec4 loads, workgroup. */
interface ReduceVariant {
  inputs: number;
  expr: string;
  vec: boolean;
  /** Workgroup size (row kernel only). */
  wg?: number;
}

function inputBuffers(map: ReduceMap): Record<string, Tensor> {
  return Object.fromEntries(map.inputs.map((t, k) => [`in${k}`, t]));
}

/** Bindings `in0…` of the mapped inputs, then `out` of `outElem` elements. */
function reduceBindings(v: ReduceVariant, outElem: string): Record<string, StorageBinding> {
  const type = v.vec ? "vec4<f32>" : "f32";
  const ins = Array.from({ length: v.inputs }, (_, k) => [`in${k}`, read(type)] as const);
  return { ...Object.fromEntries(ins), out: readWrite(outElem) };
}

const reduceKey = (v: ReduceVariant) => `${v.vec ? "v4" : "s"}|${v.inputs}|${v.expr}`;

function loadFn(v: ReduceVariant): string {
  const type = v.vec ? "vec4<f32>" : "f32";
  const expr = v.expr.replace(/\$(\d+)/g, (_, k) => `in${k}[i]`);
  return `fn load(i: u32) -> ${type} { return ${expr}; }`;
}

const REDUCE_ROWS = kernel({
  name: "reduce_rows",
  bindings: (v: ReduceVariant) => reduceBindings(v, "f32"),
  uniforms: { groups: "u32", chunks: "u32", chunk: "u32", len: "u32", scale: "f32" },
  key: (v) => `${reduceKey(v)}|wg${v.wg}`,
  body: (v) => {
    const type = v.vec ? "vec4<f32>" : "f32";
    const wg = v.wg ?? 64;
    return `${loadFn(v)}
var<workgroup> part: array<f32, ${wg}>;
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let g = wid.x + wid.y * nwg.x;
  if (g >= p.groups) { return; }
  let start = (g % p.chunks) * p.chunk;
  let end = min(start + p.chunk, p.len);
  let base = (g / p.chunks) * p.len;
  var acc = ${type}(0.0);
  for (var k = start + lid; k < end; k += ${wg}u) { acc += load(base + k); }
  part[lid] = ${v.vec ? "dot(acc, vec4<f32>(1.0))" : "acc"};
  workgroupBarrier();
  for (var s = ${wg / 2}u; s > 0u; s >>= 1u) {
    if (lid < s) { part[lid] += part[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u) { out[g] = part[0] * p.scale; }
}`;
  },
});

const REDUCE_STRIDED = kernel({
  name: "reduce_strided",
  bindings: (v: ReduceVariant) => reduceBindings(v, v.vec ? "vec4<f32>" : "f32"),
  uniforms: {
    total: "u32",
    inner: "u32",
    chunks: "u32",
    chunk: "u32",
    len: "u32",
    scale: "f32",
  },
  key: reduceKey,
  body: (v) => {
    const type = v.vec ? "vec4<f32>" : "f32";
    return `${loadFn(v)}
${LINEAR_MAIN}
  if (gi >= p.total) { return; }
  let i = gi % p.inner;
  let oc = gi / p.inner;
  let start = (oc % p.chunks) * p.chunk;
  let end = min(start + p.chunk, p.len);
  var idx = ((oc / p.chunks) * p.len + start) * p.inner + i;
  var acc = ${type}(0.0);
  for (var r = start; r < end; r++) {
    acc += load(idx);
    idx += p.inner;
  }
  out[gi] = acc * p.scale;
}`;
  },
});
