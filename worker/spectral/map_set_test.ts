import { assertAllClose, assertEquals, assertRejects } from "../../testing/assert.ts";
import { gpuTest } from "../gpu/_testing.ts";
import { Rng } from "../lib/mod.ts";
import { buildMapSet } from "./map_set.ts";
import type { ShapeSet } from "./shape_set.ts";

function clouds(n: number, points: number, seed: number): ShapeSet {
  const rng = new Rng(seed);
  const data = Float32Array.from({ length: n * points * 3 }, () => rng.uniform() * 1.2 - 0.6);
  return {
    meta: { classes: ["a"], ids: Array.from({ length: n }, (_, i) => `a/train/${i}`), points },
    points: data,
    labels: new Int32Array(n),
    split: Int32Array.from({ length: n }, (_, i) => i < n - 2 ? 0 : 1),
  };
}

gpuTest(
  "maps standardised with given statistics equal the ones fitted on the train split",
  async (gpu) => {
    const o = { basis: "zernike" as const, order: 4, clip: 5 };
    const fitted = await buildMapSet(gpu, clouds(6, 128, 1), o);
    // The same shapes, every one a test shape: only the given statistics can standardise them.
    const shapes = clouds(6, 128, 1);
    shapes.split.fill(1);
    const given = await buildMapSet(gpu, shapes, o, undefined, fitted);
    assertEquals(Array.from(given.mean), Array.from(fitted.mean));
    assertAllClose(given.values, fitted.values, { atol: 1e-6 });
    await assertRejects(
      () => buildMapSet(gpu, shapes, o),
      Error,
      "Cannot standardise the maps: the train split is empty",
    );
    await assertRejects(
      () => buildMapSet(gpu, shapes, o, undefined, { mean: [0, 1], std: [1, 1] }),
      RangeError,
      "with statistics of 2 cells",
    );
  },
);
