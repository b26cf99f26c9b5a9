import { assertAlmostEquals, assertEquals } from "../../testing/assert.ts";
import { evaluateDenoising, restorationMeasures, retrievalMap } from "./denoise.ts";

Deno.test("retrieval mAP is 1 for perfectly separated classes and averages precision otherwise", () => {
  const valid = Float32Array.of(1, 1);
  const db = Float32Array.of(0, 0, 0, 1, 10, 10, 10, 11);
  assertAlmostEquals(retrievalMap(Float32Array.of(0, 0.5), [0], db, [0, 0, 1, 1], valid), 1);
  // ranking: relevant, irrelevant, relevant, irrelevant → AP = (1 + 2/3) / 2
  const db2 = Float32Array.of(0, 0, 1, 0, 2, 0, 3, 0);
  assertAlmostEquals(
    retrievalMap(Float32Array.of(0, 0), [0], db2, [0, 1, 0, 1], valid),
    (1 + 2 / 3) / 2,
  );
});

Deno.test("restoration measures: two known modes, both drawn, each restoration ranked first", () => {
  // 4 maps of 3 cells (the last is padding): rows 0, 1 train, rows 2, 3 test.
  const values = Float32Array.of(2, 0, 0, -2, 0, 0, 1, 3, 0, -1, -3, 0);
  const maps = {
    values,
    valid: Float32Array.of(1, 1, 0),
    labels: Int32Array.of(0, 1, 0, 1),
    split: Int32Array.of(0, 0, 1, 1),
  };
  // Cell 0 hidden in both test maps; their second mode flips it.
  const test = {
    rows: [2, 3],
    inputs: Float32Array.of(0, 1, 1, 3, 1, 0, 0, 0, 0, 0, 1, 1, -3, 1, 0, 0, 0, 0),
    changed: Float32Array.of(1, 0, 0, 1, 0, 0),
  };
  const second = Float32Array.of(-1, 3, 0, 1, -3, 0);
  // k = 2 draws per input: the truth and the flipped copy.
  const out = Float32Array.of(1, 3, 0, -1, 3, 0, -1, -3, 0, 1, -3, 0);
  const evaluation = evaluateDenoising(maps, test, out, 2);
  const r = restorationMeasures(maps, test, out, 2, evaluation, second);
  assertEquals(r.modes_found, 2);
  assertEquals(r.half_turn, { a: 0.5, b: 0.5, between: 0, both_modes: 1, mean_t: 0.5, inputs: 2 });
  // On the hidden cell alone: the truth ranks first; the flipped draw is the other map: rank 2.
  assertAlmostEquals(r.map_reconstruction, (1 + 1 / 2 + 1 + 1 / 2) / 4);
  // The corrupted input (0 on the hidden cell) is equally far from both: rank 2.
  assertAlmostEquals(r.map_reconstruction_corrupted, 1 / 2);
  // Neighbours on the visible cell 1 (train maps both 0): completions 2 and −2, |mean − 1| = 1.
  assertAlmostEquals(r.oracle.mean_l1, 1);
  assertAlmostEquals(r.oracle.best_l1, 1);
  assertEquals(restorationMeasures(maps, test, out, 2, evaluation).half_turn, undefined);
});
