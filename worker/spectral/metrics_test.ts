import { assertAlmostEquals, assertEquals, assertThrows } from "../../testing/assert.ts";
import { Rng } from "../lib/mod.ts";
import { chamferDistance } from "./metrics.ts";
import { emptyGrid, voxelIou } from "./voxel.ts";

function bruteChamfer(p: Float64Array, q: Float64Array): number {
  const one = (a: Float64Array, b: Float64Array) => {
    let s = 0;
    for (let i = 0; i < a.length; i += 3) {
      let best = Infinity;
      for (let j = 0; j < b.length; j += 3) {
        best = Math.min(best, Math.hypot(a[i] - b[j], a[i + 1] - b[j + 1], a[i + 2] - b[j + 2]));
      }
      s += best;
    }
    return s / (a.length / 3);
  };
  return one(p, q) + one(q, p);
}

Deno.test("Chamfer distance matches brute force (clustered, spread and offset sets)", () => {
  const rng = new Rng(8);
  for (const [np, nq, off] of [[1, 1, 0], [50, 700, 0], [400, 37, 2.5], [2000, 1500, 0.01]]) {
    const p = Float64Array.from({ length: 3 * np }, () => rng.uniform(-1, 1) ** 3);
    const q = Float64Array.from(
      { length: 3 * nq },
      (_, i) => rng.uniform(-0.5, 0.5) + (i % 3 === 0 ? off : 0),
    );
    assertAlmostEquals(chamferDistance(p, q), bruteChamfer(p, q), 1e-12);
  }
  assertEquals(chamferDistance([0, 0, 0], [3, 4, 0]), 10);
  assertThrows(() => chamferDistance([], [1, 2, 3]), RangeError, "empty");
});

Deno.test("voxel IoU counts intersection over union", () => {
  const a = emptyGrid(4);
  const b = emptyGrid(4);
  assertEquals(voxelIou(a, b), 1);
  a.occupancy.set([1, 1, 1], 0);
  b.occupancy.set([0, 1, 1, 1], 0);
  assertEquals(voxelIou(a, b), 0.5);
  assertThrows(() => voxelIou(a, emptyGrid(5)), RangeError, "side 4 and 5");
});
