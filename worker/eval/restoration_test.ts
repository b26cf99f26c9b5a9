import { assertAlmostEquals, assertEquals } from "../../testing/assert.ts";
import { modesFound, reconstructionMap, twoModeStats } from "./restoration.ts";

const cells = 3;
const scored = Float32Array.of(1, 1, 0, 1, 1, 0);

Deno.test("modes found: draws within the radius form one group, padding cells are ignored", () => {
  const draws = Float32Array.from([
    // input 0: two groups (≈ +1 and ≈ −1); the unscored cell differs wildly
    ...[1, 1, 9],
    ...[1.1, 0.9, -9],
    ...[-1, -1, 0],
    // input 1: one group
    ...[0, 0, 0],
    ...[0.1, 0, 5],
    ...[0, 0.1, 0],
  ]);
  assertAlmostEquals(modesFound(draws, scored, { draws: 3, cells, radius: 0.5 }), 1.5);
  assertAlmostEquals(modesFound(draws, scored, { draws: 3, cells, radius: 3 }), 1);
});

Deno.test("two modes: draws are placed by their projection between A and B", () => {
  const a = Float32Array.of(1, 1, 0, 1, 1, 0);
  const b = Float32Array.of(-1, -1, 0, 1, 1.1, 0);
  const draws = Float32Array.from([
    ...[1, 1, 0], // A
    ...[-0.9, -1.1, 0], // B
    ...[0, 0, 0], // midpoint: between
    ...[0, 0, 0], // input 1: A ≈ B, skipped
    ...[0, 0, 0],
    ...[0, 0, 0],
  ]);
  const s = twoModeStats(draws, a, b, scored, { draws: 3, cells, minSeparation: 0.5 });
  assertEquals(s.inputs, 1);
  assertAlmostEquals(s.a, 1 / 3);
  assertAlmostEquals(s.b, 1 / 3);
  assertAlmostEquals(s.between, 1 / 3);
  assertAlmostEquals(s.both_modes, 1);
  assertAlmostEquals(s.mean_t, 0.5);
});

Deno.test("reconstruction mAP: 1 / rank of the own clean map among the test maps", () => {
  const clean = Float32Array.from([0, 0, 0, 1, 1, 1, 2, 2, 2]);
  const all = new Float32Array(9).fill(1);
  // query 0 restores input 0 exactly (rank 1); query 1 restores input 1 but sits on input 2
  // (rank 2); query 2 restores input 2 but equals input 0 (rank 3).
  const queries = Float32Array.from([0, 0, 0, 2, 2, 2, 0, 0, 0]);
  assertAlmostEquals(
    reconstructionMap(queries, [0, 1, 2], clean, all, 3),
    (1 + 1 / 2 + 1 / 3) / 3,
  );
  // A tie with another map counts against the query.
  assertAlmostEquals(reconstructionMap(Float32Array.of(0.5, 0.5, 0.5), [0], clean, all, 3), 0.5);
});
