/**
 * Toy multimodal curves of the paper's Sec. 4 (Fig. 3): for a scalar x, each branch gives a
 * 3-D output; a sample picks x uniformly and a branch uniformly.
 * @module
 */
import { defaultNames, type MultimodalData } from "./multimodal.ts";
import type { Rng } from "../lib/mod.ts";

/** One branch: x ↦ y. */
export type Branch = (x: number) => readonly number[];

/** A multimodal toy problem with a scalar input. */
export interface ToyProblem {
  /** Short name, used in reports. */
  readonly name: string;
  /** Output dimension. */
  readonly outDim: number;
  /** Input interval [lo, hi). */
  readonly xRange: readonly [number, number];
  /** The branches (modes). */
  readonly branches: readonly Branch[];
  /** Display name of each branch. */
  readonly branchNames: readonly string[];
}

const cubic = (s: number): Branch => (x) => [s * 4 * x, s * 4 * x * x, s * 4 * x * x * x];

/** The paper's toy: y = ±4(x, x², x³), x ∈ [−1, 1). */
export const PLUS_MINUS: ToyProblem = {
  name: "plus-minus",
  outDim: 3,
  xRange: [-1, 1],
  branches: [cubic(1), cubic(-1)],
  branchNames: ["+4(x,x²,x³)", "−4(x,x²,x³)"],
};

/** Three branches: A = 4(x, x², x³), B = −A, C = (−4x, 4x² + 1.5, −2x), x ∈ [−1, 1). */
export const THREE_BRANCHES: ToyProblem = {
  name: "three-branches",
  outDim: 3,
  xRange: [-1, 1],
  branches: [cubic(1), cubic(-1), (x) => [-4 * x, 4 * x * x + 1.5, -2 * x]],
  branchNames: ["A", "B", "C"],
};

function toData(
  problem: ToyProblem,
  x: Float32Array,
  y: Float32Array,
  mode: Int32Array,
): MultimodalData {
  return {
    n: x.length,
    inDim: 1,
    outDim: problem.outDim,
    x,
    y,
    mode,
    modeNames: problem.branchNames,
    xNames: defaultNames("x", 1),
    yNames: defaultNames("y", problem.outDim),
  };
}

/** `n` fresh pairs: x uniform on the problem's range, the branch uniform among its branches. */
export function sampleToy(problem: ToyProblem, n: number, rng: Rng): MultimodalData {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`Cannot sample ${n} toy pairs: expected a non-negative integer`);
  }
  const [lo, hi] = problem.xRange;
  const x = new Float32Array(n);
  const y = new Float32Array(n * problem.outDim);
  const mode = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = rng.uniform(lo, hi);
    mode[i] = rng.int(problem.branches.length);
    y.set(problem.branches[mode[i]](x[i]), i * problem.outDim);
  }
  return toData(problem, x, y, mode);
}

/** The ground truth at the given inputs: every branch evaluated at every x (x-major order). */
export function toyTruth(problem: ToyProblem, xs: ArrayLike<number>): MultimodalData {
  const k = problem.branches.length;
  const n = xs.length * k;
  const x = new Float32Array(n);
  const y = new Float32Array(n * problem.outDim);
  const mode = new Int32Array(n);
  for (let i = 0; i < xs.length; i++) {
    for (let b = 0; b < k; b++) {
      const r = i * k + b;
      x[r] = xs[i];
      mode[r] = b;
      y.set(problem.branches[b](xs[i]), r * problem.outDim);
    }
  }
  return toData(problem, x, y, mode);
}

/** `n` evenly spaced inputs covering the problem's range (cell centres). */
export function toyGrid(problem: ToyProblem, n: number): Float32Array {
  const [lo, hi] = problem.xRange;
  return Float32Array.from({ length: n }, (_, i) => lo + (hi - lo) * (i + 0.5) / n);
}
