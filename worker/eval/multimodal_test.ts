import { assert, assertAlmostEquals, assertEquals, assertThrows } from "../../testing/assert.ts";
import { Rng } from "../lib/mod.ts";
import type { MultimodalData } from "../data/multimodal.ts";
import { PLUS_MINUS, THREE_BRANCHES, toyGrid, type ToyProblem, toyTruth } from "../data/toy.ts";
import { evaluateMultimodal, type GeneratedSet } from "./multimodal.ts";

function predict(
  problem: ToyProblem,
  m: number,
  k: number,
  pick: (x: number, draw: number) => number[],
): { truth: MultimodalData; gen: GeneratedSet } {
  const inputs = toyGrid(problem, m);
  const outputs = new Float32Array(m * k * problem.outDim);
  for (let i = 0; i < m; i++) {
    for (let d = 0; d < k; d++) outputs.set(pick(inputs[i], d), (i * k + d) * problem.outDim);
  }
  return { truth: toyTruth(problem, inputs), gen: { inputs, draws: k, outputs } };
}

Deno.test("a predictor on the true branches scores perfectly", () => {
  const rng = new Rng(3);
  const { truth, gen } = predict(
    THREE_BRANCHES,
    200,
    8,
    (x) => [...THREE_BRANCHES.branches[rng.int(3)](x)],
  );
  const { metrics, assignment } = evaluateMultimodal(truth, gen);
  assertAlmostEquals(metrics.phantom, 0);
  assertAlmostEquals(metrics.coverage.reduce((a, b) => a + b), 1, 1e-12);
  for (const c of metrics.coverage) assert(c > 0.28 && c < 0.39, `coverage ${metrics.coverage}`);
  assert(metrics.hitRate > 0.8 && metrics.hitRate <= 0.95, `hit ${metrics.hitRate}`);
  assert(metrics.chamfer < 0.1, `chamfer ${metrics.chamfer}`);
  assert(assignment.every((a) => a >= 0));
});

Deno.test("the L1 collapse y = 0 is mostly phantom", () => {
  const { truth, gen } = predict(PLUS_MINUS, 400, 4, () => [0, 0, 0]);
  const { metrics } = evaluateMultimodal(truth, gen);
  assert(metrics.phantom > 0.8 && metrics.phantom < 0.95, `phantom ${metrics.phantom}`);
  assert(metrics.hitRate < 0.2, `hit ${metrics.hitRate}`);
});

Deno.test("picking the branch from x covers the modes but never hits them all", () => {
  const { truth, gen } = predict(
    PLUS_MINUS,
    400,
    8,
    (x) => [...PLUS_MINUS.branches[x < 0 ? 0 : 1](x)],
  );
  const { metrics } = evaluateMultimodal(truth, gen);
  assertAlmostEquals(metrics.phantom, 0);
  assertAlmostEquals(metrics.coverage[0], 0.5, 1e-9);
  assert(metrics.hitRate < 0.15, `hit ${metrics.hitRate}`);
});

Deno.test("evaluateMultimodal computes chamfer, coverage and hit by hand", () => {
  const truth: MultimodalData = {
    n: 2,
    inDim: 1,
    outDim: 1,
    x: Float32Array.of(0, 0),
    y: Float32Array.of(1, -1),
    mode: Int32Array.of(0, 1),
    modeNames: ["a", "b"],
    xNames: ["x"],
    yNames: ["y"],
  };
  const gen = { inputs: Float32Array.of(0), draws: 3, outputs: Float32Array.of(1.25, 0, 0.75) };
  const { metrics, assignment } = evaluateMultimodal(truth, gen, { tolerance: 0.5 });
  assertEquals(Array.from(assignment), [0, -1, 0]);
  assertEquals(metrics.coverage, [2 / 3, 0]);
  assertAlmostEquals(metrics.phantom, 1 / 3, 1e-12);
  assertEquals(metrics.hitRate, 0);
  assertAlmostEquals(metrics.chamfer, (0.25 + 1 + 0.25) / 3 + (0.25 + 1) / 2, 1e-6);
});

Deno.test("evaluateMultimodal rejects unlabelled truth and mismatched sizes", () => {
  const truth = toyTruth(PLUS_MINUS, [0]);
  const gen = { inputs: Float32Array.of(0), draws: 2, outputs: new Float32Array(5) };
  assertThrows(() => evaluateMultimodal(truth, gen), RangeError, "do not fit");
  assertThrows(
    () => evaluateMultimodal({ ...truth, mode: null, modeNames: [] }, gen),
    RangeError,
    "no mode labels",
  );
});
