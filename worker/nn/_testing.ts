/**
 * Test support for the autograd: finite-difference gradient checks of GPU ops and layers
 * against float64 CPU references (internal; used by the `*_test.ts` files).
 */
import type { Gpu } from "../gpu/device.ts";
import { Rng } from "../lib/mod.ts";
import type { Tensor } from "../gpu/tensor.ts";
import { assertAllClose } from "../../testing/assert.ts";
import { Tape } from "./tape.ts";

/** One input of a gradient check. */
export interface CheckInput {
  /** Shape of the input. */
  shape: number[];
  /** Values (rounded to f32 for both the GPU and the reference). */
  data: ArrayLike<number>;
}

/** A gradient check: the op on the GPU and its float64 reference. */
export interface GradCheck {
  /** Name used in failure messages. */
  name: string;
  /** Inputs in order. */
  inputs: CheckInput[];
  /** Existing tensors (e.g. a layer's parameters) appended to the inputs, read as they are. */
  extra?: Tensor[];
  /** Records the op on `tape`; `xs` holds the inputs followed by `extra`. */
  op: (tape: Tape, xs: Tensor[]) => Tensor;
  /** The float64 forward reference (flat, row-major output). */
  ref: (xs: Float64Array[]) => ArrayLike<number>;
  /** Indices of the inputs to differentiate (default all). */
  wrt?: number[];
  /** Tolerance relative to the largest gradient magnitude (default 2e-3). */
  tol?: number;
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Most elements checked per input, sampled at random (default all). */
  maxChecks?: number;
  /** Training flag of the tape (default true). */
  training?: boolean;
}

/**
 * Runs the op on the GPU, compares its output with the reference, then compares the tape's
 * gradients of Σ r·op(x) (random r) with central differences of the float64 reference.
 */
export async function checkGradients(gpu: Gpu, c: GradCheck): Promise<void> {
  const rng = new Rng(hash(c.name));
  const owned = c.inputs.map((x) => gpu.tensor(Float32Array.from(x.data), x.shape));
  const xs = [...owned, ...(c.extra ?? [])];
  const values: Float64Array[] = [];
  for (const x of xs) values.push(Float64Array.from(await x.read()));
  const tape = new Tape(gpu, { training: c.training ?? true });
  try {
    const out = c.op(tape, xs);
    const expected = Float64Array.from(c.ref(values.map((v) => v.slice())));
    const scale = Math.max(1, ...expected.map(Math.abs));
    assertAllClose(await out.read(), expected, {
      atol: 2e-5 * scale,
      rtol: 2e-4,
      msg: `${c.name}: forward`,
    });
    const r = rng.uniformArray(out.size, -1, 1);
    const r64 = Float64Array.from(r);
    const dy = gpu.tensor(r, out.shape);
    const wrt = c.wrt ?? xs.map((_, i) => i);
    const grads = tape.gradient(out, wrt.map((i) => xs[i]), { dy });
    dy.dispose();
    const objective = (vals: Float64Array[]) => {
      const y = c.ref(vals);
      let s = 0;
      for (let k = 0; k < y.length; k++) s += r64[k] * y[k];
      return s;
    };
    for (const [k, i] of wrt.entries()) {
      const got = await grads[k].read();
      grads[k].dispose();
      const picks = pick(rng, values[i].length, c.maxChecks);
      const numeric = numericGradient(objective, values, i, picks, c.eps ?? 1e-6);
      const actual = picks.map((j) => got[j]);
      const gscale = Math.max(1e-3, ...numeric.map(Math.abs));
      assertAllClose(actual, numeric, {
        atol: (c.tol ?? 2e-3) * gscale,
        rtol: 0,
        msg: `${c.name}: gradient w.r.t. input ${i} [${xs[i].shape}]`,
      });
    }
  } finally {
    tape.dispose();
    for (const x of owned) x.dispose();
  }
}

/** Central differences of `f` w.r.t. the elements `picks` of input `i`. */
export function numericGradient(
  f: (xs: Float64Array[]) => number,
  xs: Float64Array[],
  i: number,
  picks: readonly number[],
  eps: number,
): number[] {
  return picks.map((j) => {
    const keep = xs[i][j];
    xs[i][j] = keep + eps;
    const up = f(xs);
    xs[i][j] = keep - eps;
    const down = f(xs);
    xs[i][j] = keep;
    return (up - down) / (2 * eps);
  });
}

/** Values in [lo, hi) kept at least `gap` away from zero (for kinks of relu, abs, L1). */
export function awayFromZero(rng: Rng, n: number, gap = 0.05, lo = -1, hi = 1): Float32Array {
  return rng.uniformArray(n, lo, hi).map((
    v,
  ) => (Math.abs(v) < gap ? v + Math.sign(v || 1) * 2 * gap : v));
}

function pick(rng: Rng, n: number, max: number | undefined): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (max === undefined || n <= max) return all;
  return rng.shuffle(all).slice(0, max).sort((a, b) => a - b);
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
