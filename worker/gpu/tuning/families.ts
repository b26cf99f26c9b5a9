/**
 * What the autotune measures: for each kernel family with variants, its candidates and one
 * problem per shape class (the class's representative shape), ready to record with any
 * variant.
 * @module
 */
import type { Gpu, KernelProfile } from "../device.ts";
import { CONV_CLASSES, type ConvKind } from "../kernels/conv.ts";
import { conv2d, conv2dInputGrad, conv2dWeightGrad } from "../kernels/conv.ts";
import {
  GEMM_VARIANT_NAMES,
  type GemmShape,
  type GemmVariantName,
} from "../kernels/gemm_variants.ts";
import { matmul, MATMUL_CLASSES } from "../kernels/matmul.ts";
import {
  REDUCE_ROWS_CLASSES,
  reduceMapped,
  ROWS_VARIANTS,
  type RowsVariantName,
} from "../kernels/reduce.ts";
import type { Tensor } from "../tensor.ts";
import type { KernelFamily } from "./choices.ts";

/** One shape class of a family, made ready to record with any candidate. */
export interface PreparedProblem {
  /** Records one operation with `variant` (never waits). */
  run(variant: string): void;
  /** Frees the inputs. */
  dispose(): void;
}

/** One shape class of a family: its name, its size, and how to set up its problem. */
export interface TuneProblem {
  shapeClass: string;
  /** Floating-point operations (or elements, for reductions) of one operation. */
  work: number;
  prepare(gpu: Gpu): PreparedProblem;
}

/** A family's candidates (most promising first for the adapter) and its problems. */
export interface TuneFamily {
  family: KernelFamily;
  candidates: readonly string[];
  problems: readonly TuneProblem[];
}

/**
 * Candidate order: the profile's own kind first (cpu register blocks on a CPU adapter,
 * workgroup tiles on a GPU), so a tight time budget still measures the likely winners.
 */
function gemmCandidates(profile: KernelProfile): GemmVariantName[] {
  const cpu = GEMM_VARIANT_NAMES.filter((v) => v.startsWith("cpu"));
  const gpu = GEMM_VARIANT_NAMES.filter((v) => v.startsWith("gpu"));
  return profile === "cpu" ? [...cpu, ...gpu] : [...gpu, ...cpu];
}

function random(gpu: Gpu, shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s / 2 ** 32 - 0.5;
  }
  return gpu.tensor(data, shape);
}

function problem(
  shapeClass: string,
  work: number,
  shapes: number[][],
  op: (t: Tensor[], variant: string) => Tensor,
): TuneProblem {
  return {
    shapeClass,
    work,
    prepare(gpu) {
      const inputs = shapes.map((s, i) => random(gpu, s, i + 1));
      return {
        run: (variant) => op(inputs, variant).dispose(),
        dispose: () => inputs.forEach((t) => t.dispose()),
      };
    },
  };
}

function matmulProblems(): TuneProblem[] {
  return Object.entries(MATMUL_CLASSES).map(([name, { m, n, k }]) =>
    problem(
      name,
      2 * m * n * k,
      [[m, k], [k, n]],
      ([a, b], v) => matmul(a, b, { variant: v as GemmVariantName }),
    )
  );
}

/** Stride and padding of the tuning convolutions (4×4 kernels, as in the U-Nets). */
export const TUNE_CONV = { stride: 2, padding: 1 } as const;

/**
 * The shapes of a convolution whose GEMM of `kind` is M×N×K: 4×4 kernels, stride 2, padding 1,
 * 16 images, N = Cout (forward, weight gradient) or Cin (input gradient), K from the channels.
 */
export function convProblemShapes(
  kind: ConvKind,
  { m, n, k }: GemmShape,
): { x: number[]; w: number[]; y: number[] } {
  const side = Math.round(Math.sqrt((kind === "dw" ? k : m) / 16)) * 2;
  const [cin, cout] = kind === "fwd" ? [k / 16, n] : kind === "dx" ? [n, k / 4] : [m / 16, n];
  return { x: [16, side, side, cin], w: [4, 4, cin, cout], y: [16, side / 2, side / 2, cout] };
}

function convProblems(kind: ConvKind): TuneProblem[] {
  return Object.entries(CONV_CLASSES[kind]).map(([name, shape]) => {
    const { x, w, y } = convProblemShapes(kind, shape);
    const variant = (v: string) => ({ ...TUNE_CONV, variant: v as GemmVariantName });
    const work = 2 * shape.m * shape.n * shape.k;
    if (kind === "fwd") return problem(name, work, [x, w], ([a, b], v) => conv2d(a, b, variant(v)));
    if (kind === "dx") {
      return problem(name, work, [y, w], ([a, b], v) => conv2dInputGrad(a, b, x, variant(v)));
    }
    return problem(name, work, [x, y], ([a, b], v) => conv2dWeightGrad(a, b, w, variant(v)));
  });
}

function reduceProblems(): TuneProblem[] {
  return Object.entries(REDUCE_ROWS_CLASSES).map(([name, { m, k }]) =>
    problem(
      name,
      m * k,
      [[m, k]],
      ([x], v) => reduceMapped({ inputs: [x], expr: "$0" }, [1], { variant: v as RowsVariantName }),
    )
  );
}

/** The families the autotune measures, in order of their weight in a training step. */
export function tuneFamilies(profile: KernelProfile): TuneFamily[] {
  const gemm = gemmCandidates(profile);
  return [
    { family: "matmul", candidates: gemm, problems: matmulProblems() },
    { family: "conv_fwd", candidates: gemm, problems: convProblems("fwd") },
    { family: "conv_dx", candidates: gemm, problems: convProblems("dx") },
    { family: "conv_dw", candidates: gemm, problems: convProblems("dw") },
    { family: "reduce_rows", candidates: Object.keys(ROWS_VARIANTS), problems: reduceProblems() },
  ];
}
