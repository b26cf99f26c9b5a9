import { assertAllClose, assertEquals, assertThrows } from "../../../testing/assert.ts";
import { gpuTest } from "../_testing.ts";
import { assertDiffers, randomTensor, rngFor } from "./_testing.ts";
import { mean, reduceMapped, ROWS_VARIANTS, type RowsVariantName, sum } from "./reduce.ts";
import { meanRef, sumRef } from "./reduce_ref.ts";

/** Shape, axes (null: all) — covering rows, strided, vec4, chunked and multi-pass plans. */
const CASES: [number[], number[] | null][] = [
  [[1], null],
  [[1], [0]],
  [[7, 13], [0]],
  [[7, 13], [1]],
  [[7, 13], null],
  [[7, 13], []],
  [[33, 65], [1]],
  [[33, 64], [1]],
  [[33, 64], [0]],
  [[5, 3, 7], [1]],
  [[5, 3, 7], [-1]],
  [[5, 1, 7], [0, 1]],
  [[2, 3, 4, 5], [0, 2]],
  [[2, 3, 4, 5], [1, 3]],
  [[2, 3, 4, 5], [0, 1, 3]],
  [[2, 10007], [1]],
  [[12004], [0]],
  [[3, 5000, 2], [1]],
  [[3001, 3], [0]],
  [[600, 8], [0]],
  [[100003], null],
];

gpuTest("sum and mean match the reference over first, middle, last and all axes", async (gpu) => {
  const rng = rngFor("reduce");
  for (const [shape, axes] of CASES) {
    const x = randomTensor(gpu, rng, shape);
    for (const keepDims of [false, true]) {
      const s = sum(x.t, axes, keepDims);
      const want = sumRef(x.data, shape, axes, keepDims);
      assertEquals(s.shape, want.shape, `sum [${shape}] axes ${axes} keep ${keepDims}`);
      const tol = { atol: 1e-5 * Math.sqrt(x.data.length), rtol: 1e-4 };
      assertAllClose(await s.read(), want.data, { ...tol, msg: `sum [${shape}] axes ${axes}` });
      s.dispose();
    }
    const m = mean(x.t, axes);
    assertAllClose(await m.read(), meanRef(x.data, shape, axes).data, {
      atol: 1e-5,
      msg: `mean [${shape}] axes ${axes}`,
    });
    m.dispose();
    x.t.dispose();
  }
});

gpuTest("every row-kernel variant sums long and short rows like the reference", async (gpu) => {
  const rng = rngFor("rows variants");
  for (const variant of Object.keys(ROWS_VARIANTS) as RowsVariantName[]) {
    for (const shape of [[3, 70], [5, 300], [2, 10007]]) {
      const x = randomTensor(gpu, rng, shape);
      const s = reduceMapped({ inputs: [x.t], expr: "$0" }, [1], { variant });
      assertAllClose(await s.read(), sumRef(x.data, shape, [1], false).data, {
        atol: 1e-5 * Math.sqrt(x.data.length),
        rtol: 1e-4,
        msg: `${variant} [${shape}]`,
      });
      s.dispose();
      x.t.dispose();
    }
  }
  const x = gpu.zeros([2, 100]);
  assertThrows(
    () => reduceMapped({ inputs: [x], expr: "$0" }, [1], { variant: "wg7" as RowsVariantName }),
    RangeError,
    'unknown row-kernel variant "wg7"',
  );
  x.dispose();
});

gpuTest("reducing the wrong axis gives a different answer", async (gpu) => {
  const x = randomTensor(gpu, rngFor("wrong-axis"), [9, 9]);
  const s0 = sum(x.t, 0);
  const got = await s0.read();
  assertAllClose(got, sumRef(x.data, [9, 9], [0]).data);
  assertDiffers(got, sumRef(x.data, [9, 9], [1]).data);
  s0.dispose();
  x.t.dispose();
});

gpuTest("reduceMapped fuses an elementwise map into the reduction", async (gpu) => {
  const rng = rngFor("mapped");
  const a = randomTensor(gpu, rng, [33, 12]);
  const b = randomTensor(gpu, rng, [33, 12]);
  const out = reduceMapped({ inputs: [a.t, b.t], expr: "abs($0 - $1)" }, [1], { mean: true });
  const diff = a.data.map((v, i) => Math.abs(v - b.data[i]));
  assertAllClose(await out.read(), meanRef(diff, [33, 12], [1]).data);
  for (const t of [a.t, b.t, out]) t.dispose();
});

gpuTest("reductions validate axes and handle empty tensors", async (gpu) => {
  const x = gpu.zeros([2, 3]);
  assertThrows(() => sum(x, 2), RangeError, "out of range");
  assertThrows(() => sum(x, [1, -1]), RangeError, "twice");
  const empty = gpu.zeros([0, 3]);
  const s = sum(empty, 0);
  assertEquals(s.shape, [3]);
  assertAllClose(await s.read(), [0, 0, 0]);
  assertThrows(() => mean(empty, 0), RangeError, "no elements");
  const none = sum(empty, 1);
  assertEquals(none.shape, [0]);
  for (const t of [x, empty, s, none]) t.dispose();
});
