/**
 * Metrics of a multimodal predictor against a labelled ground-truth sample.
 *
 * A predictor draws `k` outputs for each of `m` inputs, giving `m·k` generated points (x_i, ŷ).
 * Distances are Euclidean, in the data's own units.
 * - The truth at an input x_i is the set of true points whose input lies within the input
 *   window δ of x_i (or, when none does, the true points at the nearest input). δ defaults to
 *   1 % of the inputs' standard deviation (root mean square over input columns); when the
 *   truth is sampled at the evaluated inputs themselves (the built-in toy), this is the truth
 *   at exactly x_i plus negligible neighbours.
 * - Coverage of mode c: share of generated points whose nearest true point at their input (in
 *   output space) belongs to mode c and lies within the tolerance τ (default 0.5). The coverages
 *   and the phantom fraction sum to 1.
 * - Phantom fraction: share of generated points farther than τ from every true point at their
 *   input.
 * - Hit rate: share of inputs for which the k draws reach every mode present there (a mode is
 *   present when the truth at x_i contains a point of it, reached when some draw lies within τ
 *   of such a point). Coverage alone cannot see a predictor that picks the mode from x instead
 *   of from z.
 * - Chamfer distance: the two point clouds compared in the joint (x, y) space: mean distance
 *   from each generated point to its nearest true point plus mean distance from each true point
 *   to its nearest generated point.
 * @module
 */
import type { MultimodalData } from "../data/mod.ts";

/** Outputs of a predictor: `draws` outputs per input, grouped by input. */
export interface GeneratedSet {
  /** Inputs, `m × inDim`. */
  inputs: Float32Array;
  /** Number of draws per input. */
  draws: number;
  /** Outputs, `m × draws × outDim` (all draws of input 0 first). */
  outputs: Float32Array;
}

/** Options of {@link evaluateMultimodal}. */
export interface MultimodalMetricOptions {
  /** Distance τ within which a generated point counts for a mode (default 0.5). */
  tolerance?: number;
  /** Input window δ that defines the truth at an input (default: 1 % of the inputs' std). */
  inputTolerance?: number;
}

/** The metrics of one predictor. */
export interface MultimodalMetrics {
  /** Chamfer distance (sum of the two mean nearest-point distances). */
  chamfer: number;
  /** Coverage per mode, in the order of the truth's modes. */
  coverage: number[];
  /** Fraction of generated points farther than τ from every true point. */
  phantom: number;
  /** Share of inputs where the draws reach every present mode. */
  hitRate: number;
  /** τ used. */
  tolerance: number;
  /** Input window δ used. */
  inputTolerance: number;
  /** Number of inputs. */
  inputs: number;
  /** Draws per input. */
  draws: number;
}

/** Metrics plus, per generated point, the mode it counts for (−1 for phantom). */
export interface MultimodalEvaluation {
  metrics: MultimodalMetrics;
  assignment: Int32Array;
}

function defaultInputTolerance(truth: MultimodalData): number {
  const { n, inDim, x } = truth;
  let total = 0;
  for (let c = 0; c < inDim; c++) {
    let mean = 0;
    for (let j = 0; j < n; j++) mean += x[j * inDim + c] / n;
    for (let j = 0; j < n; j++) total += (x[j * inDim + c] - mean) ** 2 / (n * inDim);
  }
  return 0.01 * Math.sqrt(total);
}

/** Evaluates generated points against the labelled truth (see the module doc). */
export function evaluateMultimodal(
  truth: MultimodalData,
  generated: GeneratedSet,
  opts: MultimodalMetricOptions = {},
): MultimodalEvaluation {
  const tau = opts.tolerance ?? 0.5;
  const { inDim, outDim } = truth;
  const modes = truth.modeNames.length;
  if (!truth.mode || modes === 0) {
    throw new RangeError("Cannot evaluate multimodal metrics: the truth has no mode labels");
  }
  const { m, k } = drawShape(truth, generated);
  const xTol = opts.inputTolerance ?? defaultInputTolerance(truth);
  const T = truth.n;
  const G = m * k;
  const tx = truth.x, ty = truth.y, tm = truth.mode;
  const inputDist = new Float64Array(T);
  const window: number[] = [];
  const assignment = new Int32Array(G).fill(-1);
  const coverage = new Array<number>(modes).fill(0);
  const modeMin = new Float64Array(modes);
  let phantom = 0;
  let hits = 0;
  let genSum = 0;
  const truthToGen = new Float64Array(T).fill(Infinity);
  for (let i = 0; i < m; i++) {
    truthAtInput(tx, inDim, generated.inputs, i, xTol, inputDist, window);
    const present = new Uint8Array(modes);
    const reached = new Uint8Array(modes);
    for (const j of window) present[tm[j]] = 1;
    for (let d = 0; d < k; d++) {
      const g = i * k + d;
      const off = g * outDim;
      const { best, bestMode } = nearestTrue(
        ty,
        tm,
        outDim,
        generated.outputs,
        off,
        window,
        modeMin,
      );
      for (let c = 0; c < modes; c++) if (modeMin[c] <= tau * tau) reached[c] = 1;
      if (best <= tau * tau) {
        assignment[g] = bestMode;
        coverage[bestMode]++;
      } else {
        phantom++;
      }
      genSum += Math.sqrt(jointNearest(ty, outDim, generated.outputs, off, inputDist, truthToGen));
    }
    if (present.every((p, c) => !p || reached[c])) hits++;
  }
  let truthSum = 0;
  for (let j = 0; j < T; j++) truthSum += Math.sqrt(truthToGen[j]);
  return {
    metrics: {
      chamfer: G > 0 && T > 0 ? genSum / G + truthSum / T : NaN,
      coverage: coverage.map((c) => c / G),
      phantom: G > 0 ? phantom / G : 0,
      hitRate: m > 0 ? hits / m : 0,
      tolerance: tau,
      inputTolerance: xTol,
      inputs: m,
      draws: k,
    },
    assignment,
  };
}

/** Inputs m and draws k of a generated set, checked against the truth's dimensions. */
function drawShape(truth: MultimodalData, generated: GeneratedSet): { m: number; k: number } {
  const { inDim, outDim } = truth;
  const k = generated.draws;
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(
      `Cannot evaluate multimodal metrics: draws ${k} must be a positive integer`,
    );
  }
  const m = generated.inputs.length / inDim;
  if (!Number.isInteger(m) || generated.outputs.length !== m * k * outDim) {
    throw new RangeError(
      `Cannot evaluate multimodal metrics: ${generated.inputs.length} input values and ` +
        `${generated.outputs.length} output values do not fit inDim ${inDim}, outDim ${outDim}, ` +
        `${k} draws`,
    );
  }
  return { m, k };
}

/**
 * The truth at generated input `i`: fills `inputDist` with the squared input distance to every
 * true point and `window` with the true points within δ (or, when none is, at the nearest input).
 */
function truthAtInput(
  tx: Float32Array,
  inDim: number,
  inputs: Float32Array,
  i: number,
  xTol: number,
  inputDist: Float64Array,
  window: number[],
): void {
  const T = inputDist.length;
  let nearest = Infinity;
  for (let j = 0; j < T; j++) {
    let s = 0;
    for (let c = 0; c < inDim; c++) {
      const d = inputs[i * inDim + c] - tx[j * inDim + c];
      s += d * d;
    }
    inputDist[j] = s;
    if (s < nearest) nearest = s;
  }
  const limit = Math.max(xTol * xTol, nearest);
  window.length = 0;
  for (let j = 0; j < T; j++) if (inputDist[j] <= limit) window.push(j);
}

/**
 * The true point of `window` nearest (in output space) to the generated output at `off`: its
 * squared distance and mode; `modeMin` receives the squared distance to the nearest of each mode.
 */
function nearestTrue(
  ty: Float32Array,
  tm: Int32Array,
  outDim: number,
  outputs: Float32Array,
  off: number,
  window: readonly number[],
  modeMin: Float64Array,
): { best: number; bestMode: number } {
  modeMin.fill(Infinity);
  let best = Infinity;
  let bestMode = -1;
  for (const j of window) {
    let s = 0;
    for (let c = 0; c < outDim; c++) {
      const e = outputs[off + c] - ty[j * outDim + c];
      s += e * e;
    }
    if (s < best) {
      best = s;
      bestMode = tm[j];
    }
    if (s < modeMin[tm[j]]) modeMin[tm[j]] = s;
  }
  return { best, bestMode };
}

/**
 * The squared joint (x, y) distance from the generated point at `off` (input distances in
 * `inputDist`) to the nearest true point; lowers each true point's `truthToGen` to it.
 */
function jointNearest(
  ty: Float32Array,
  outDim: number,
  outputs: Float32Array,
  off: number,
  inputDist: Float64Array,
  truthToGen: Float64Array,
): number {
  let joint = Infinity;
  for (let j = 0; j < inputDist.length; j++) {
    let s = inputDist[j];
    for (let c = 0; c < outDim; c++) {
      const e = outputs[off + c] - ty[j * outDim + c];
      s += e * e;
    }
    if (s < joint) joint = s;
    if (s < truthToGen[j]) truthToGen[j] = s;
  }
  return joint;
}
