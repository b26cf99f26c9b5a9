/**
 * Binary elementwise ops with numpy broadcasting, and the reduction of a broadcast operand's
 * gradient back to its shape.
 *
 * Broadcasting collapses the aligned shapes into at most {@link MAX_BROADCAST_RANK} blocks
 * (neighbouring dimensions with the same broadcast pattern merge) and gives each operand a
 * stride per block (0 where it is broadcast); the kernel splits the output index into block
 * coordinates and dots them with the strides. A vec4 item spans four positions of the last
 * block, so a broadcast operand there is one splatted element.
 */
import { kernel, read, readWrite, type UniformType } from "../kernel.ts";
import type { Tensor } from "../tensor.ts";
import { fmt, LINEAR_MAIN, linearGrid, prod, sameShape, vec4Count } from "./_common.ts";
import { sum } from "./reduce.ts";

const V4 = "vec4<f32>";

/** Binary operations with numpy broadcasting. */
export type BinaryOp = "add" | "sub" | "mul" | "div" | "max" | "min";

/** Most collapsed broadcast blocks a binary op supports. */
export const MAX_BROADCAST_RANK = 6;

const BINARY_WGSL: Record<BinaryOp, string> = {
  add: "va + vb",
  sub: "va - vb",
  mul: "va * vb",
  div: "va / vb",
  max: "max(va, vb)",
  min: "min(va, vb)",
};

/** The numpy broadcast of two shapes; throws a RangeError when they are incompatible. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let k = 0; k < rank; k++) {
    const da = a[a.length - rank + k] ?? 1;
    const db = b[b.length - rank + k] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(`Cannot broadcast shapes ${fmt(a)} and ${fmt(b)}`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

interface Collapsed {
  dims: number[];
  strideA: number[];
  strideB: number[];
}

function collapseBroadcast(
  out: readonly number[],
  a: readonly number[],
  b: readonly number[],
): Collapsed {
  const dims: number[] = [];
  const fullA: boolean[] = [];
  const fullB: boolean[] = [];
  for (let k = 0; k < out.length; k++) {
    if (out[k] === 1) continue;
    const fa = (a[a.length - out.length + k] ?? 1) !== 1;
    const fb = (b[b.length - out.length + k] ?? 1) !== 1;
    const last = dims.length - 1;
    if (last >= 0 && fullA[last] === fa && fullB[last] === fb) dims[last] *= out[k];
    else {
      dims.push(out[k]);
      fullA.push(fa);
      fullB.push(fb);
    }
  }
  if (dims.length === 0) return { dims: [1], strideA: [0], strideB: [0] };
  const strides = (full: boolean[]) => {
    const s = dims.map(() => 0);
    let acc = 1;
    for (let k = dims.length - 1; k >= 0; k--) {
      if (full[k]) {
        s[k] = acc;
        acc *= dims[k];
      }
    }
    return s;
  };
  return { dims, strideA: strides(fullA), strideB: strides(fullB) };
}

/** Applies a binary op with numpy broadcasting; returns a new tensor of the broadcast shape. */
export function binary(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  if (!(op in BINARY_WGSL)) throw new RangeError(`Cannot apply unknown binary op "${op}"`);
  const shape = broadcastShapes(a.shape, b.shape);
  const gpu = a.gpu;
  const out = gpu.empty(shape);
  if (out.size === 0) return out;
  const { dims, strideA, strideB } = collapseBroadcast(shape, a.shape, b.shape);
  if (dims.length > MAX_BROADCAST_RANK) {
    out.dispose();
    throw new RangeError(
      `Cannot ${op} ${fmt(a.shape)} and ${fmt(b.shape)}: more than ${MAX_BROADCAST_RANK} ` +
        "alternating broadcast blocks",
    );
  }
  const r = dims.length;
  if (r === 1 && strideA[0] === 1 && strideB[0] === 1) {
    const n = vec4Count(out.size);
    BINARY_FLAT.run(gpu, {
      variant: op,
      buffers: { a, b, dst: out },
      uniforms: { n },
      workgroups: linearGrid(n),
    });
    return out;
  }
  const vec = r === 1 || dims[r - 1] % 4 === 0;
  if (vec) dims[r - 1] = vec4Count(dims[r - 1]);
  const n = prod(dims);
  const pad = MAX_BROADCAST_RANK - r;
  const uniforms: Record<string, number> = { n };
  for (let k = 0; k < MAX_BROADCAST_RANK; k++) {
    uniforms[`d${k}`] = k < pad ? 1 : dims[k - pad];
    uniforms[`a${k}`] = k < pad ? 0 : strideA[k - pad];
    uniforms[`b${k}`] = k < pad ? 0 : strideB[k - pad];
  }
  BINARY_BROADCAST.run(gpu, {
    variant: { op, vec },
    buffers: { a, b, dst: out },
    uniforms,
    workgroups: linearGrid(n),
  });
  return out;
}

const BINARY_FLAT = kernel({
  name: (op: BinaryOp) => `binary_${op}`,
  bindings: { a: read(V4), b: read(V4), dst: readWrite(V4) },
  uniforms: { n: "u32" },
  key: () => "flat",
  body: (op) => `
${LINEAR_MAIN}
  if (gi >= p.n) { return; }
  let va = a[gi];
  let vb = b[gi];
  dst[gi] = ${BINARY_WGSL[op]};
}`,
});

/** Uniforms of the broadcast kernel: the item count, then per block its size and strides. */
const BROADCAST_UNIFORMS: Record<string, UniformType> = Object.fromEntries([
  ["n", "u32"],
  ...["d", "a", "b"].flatMap((f) =>
    Array.from({ length: MAX_BROADCAST_RANK }, (_, k) => [`${f}${k}`, "u32"])
  ),
]);

const BINARY_BROADCAST = kernel({
  name: (v: { op: BinaryOp; vec: boolean }) => `binary_${v.op}`,
  bindings: ({ vec }) => {
    const t = vec ? V4 : "f32";
    return { a: read(t), b: read(t), dst: readWrite(t) };
  },
  uniforms: BROADCAST_UNIFORMS,
  key: ({ vec }) => (vec ? "bcast_v4" : "bcast_s"),
  body: ({ op, vec }) => broadcastBody(op, vec),
});

function broadcastBody(op: BinaryOp, vec: boolean): string {
  const R = MAX_BROADCAST_RANK;
  const steps: string[] = [];
  for (let k = R - 1; k >= 0; k--) {
    const w = vec && k === R - 1 ? " * 4u" : "";
    steps.push(
      `{ let c = q % p.d${k}; q = q / p.d${k}; ia += c * p.a${k}${w}; ib += c * p.b${k}${w}; }`,
    );
  }
  const load = (v: string, s: string, i: string) =>
    vec
      ? `var ${v}: ${V4};
  if (p.${s}${
        R - 1
      } == 1u) { ${v} = ${s}[${i} >> 2u]; } else { ${v} = ${V4}(${s}[${i} >> 2u][${i} & 3u]); }`
      : `let ${v} = ${s}[${i}];`;
  return `
${LINEAR_MAIN}
  if (gi >= p.n) { return; }
  var q = gi;
  var ia = 0u;
  var ib = 0u;
  ${steps.join("\n  ")}
  ${load("va", "a", "ia")}
  ${load("vb", "b", "ib")}
  dst[gi] = ${BINARY_WGSL[op]};
}`;
}

/**
 * Sums `x` down to `shape`, which must broadcast to `x.shape` (the gradient of a broadcast
 * operand). Returns a new tensor of `shape`.
 */
export function sumToShape(x: Tensor, shape: readonly number[]): Tensor {
  const lead = x.shape.length - shape.length;
  const fits = lead >= 0 && shape.every((d, k) => d === 1 || d === x.shape[lead + k]);
  if (!fits) throw new RangeError(`Cannot sum ${fmt(x.shape)} to shape ${fmt(shape)}`);
  const axes: number[] = [];
  for (let k = 0; k < x.shape.length; k++) {
    if (k < lead || (shape[k - lead] === 1 && x.shape[k] !== 1)) axes.push(k);
  }
  const reduced = sum(x, axes, false);
  if (sameShape(reduced.shape, shape)) return reduced;
  const out = reduced.reshape(shape);
  reduced.dispose();
  return out;
}
