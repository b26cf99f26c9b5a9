import { assert, assertAllClose, assertEquals } from "../../testing/assert.ts";
import { Rng } from "../lib/mod.ts";
import { PLUS_MINUS, sampleToy, THREE_BRANCHES, toyGrid, toyTruth } from "./toy.ts";

Deno.test("sampleToy puts every pair on its branch of ±4(x, x², x³)", () => {
  const data = sampleToy(PLUS_MINUS, 2000, new Rng(1));
  assertEquals([data.n, data.inDim, data.outDim], [2000, 1, 3]);
  const counts = [0, 0];
  for (let i = 0; i < data.n; i++) {
    const x = data.x[i];
    assert(x >= -1 && x < 1, `x ${x} outside [-1, 1)`);
    const s = data.mode![i] === 0 ? 4 : -4;
    assertAllClose(data.y.subarray(3 * i, 3 * i + 3), [s * x, s * x * x, s * x * x * x]);
    counts[data.mode![i]]++;
  }
  assert(Math.abs(counts[0] - 1000) < 100, `unbalanced branches ${counts}`);
});

Deno.test("sampleToy is reproducible from the seed", () => {
  const a = sampleToy(THREE_BRANCHES, 50, new Rng(7));
  const b = sampleToy(THREE_BRANCHES, 50, new Rng(7));
  assertEquals(a.y, b.y);
  assertEquals(a.mode, b.mode);
});

Deno.test("the three-branch toy has A, B = -A and C = (-4x, 4x² + 1.5, -2x)", () => {
  const t = toyTruth(THREE_BRANCHES, [0.5]);
  assertEquals(t.n, 3);
  assertEquals(Array.from(t.mode!), [0, 1, 2]);
  assertAllClose(t.y, [2, 1, 0.5, -2, -1, -0.5, -2, 2.5, -1]);
});

Deno.test("toyGrid spaces inputs evenly over the range", () => {
  assertAllClose(toyGrid(PLUS_MINUS, 4), [-0.75, -0.25, 0.25, 0.75]);
});
