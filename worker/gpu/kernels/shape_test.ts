import { assertAllClose, assertEquals, assertThrows } from "../../../testing/assert.ts";
import { gpuTest } from "../_testing.ts";
import { assertDiffers, randomTensor, rngFor } from "./_testing.ts";
import { concat, slice, sliceGrad } from "./shape.ts";
import { concatRef, sliceGradRef, sliceRef } from "./shape_ref.ts";

/** Shapes of the parts (the concat axis varies) and the axis. */
const CONCAT_CASES: [number[][], number][] = [
  [[[2, 5, 5, 3], [2, 5, 5, 16]], 3],
  [[[2, 5, 5, 4], [2, 5, 5, 8]], -1],
  [[[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 2]], 3],
  [[[7, 13], [2, 13], [1, 13]], 0],
  [[[33, 3, 7], [33, 1, 7]], 1],
  [[[7], [13]], 0],
  [[[3, 0], [3, 5]], 1],
];

gpuTest("concat joins along any axis", async (gpu) => {
  const rng = rngFor("concat");
  for (const [shapes, axis] of CONCAT_CASES) {
    const parts = shapes.map((s) => randomTensor(gpu, rng, s));
    const out = concat(parts.map((p) => p.t), axis);
    const ax = axis < 0 ? axis + shapes[0].length : axis;
    const want = concatRef(parts.map((p, k) => ({ data: p.data, shape: shapes[k] })), ax);
    assertEquals(out.shape, want.shape);
    assertAllClose(await out.read(), want.data, { atol: 0, rtol: 0, msg: `${shapes} @${axis}` });
    out.dispose();
    for (const p of parts) p.t.dispose();
  }
});

gpuTest("concat on the wrong axis differs and bad shapes are rejected", async (gpu) => {
  const rng = rngFor("concat-axis");
  const a = randomTensor(gpu, rng, [4, 4]);
  const b = randomTensor(gpu, rng, [4, 4]);
  const out = concat([a.t, b.t], 1);
  const got = await out.read();
  assertAllClose(
    got,
    concatRef([{ data: a.data, shape: [4, 4] }, { data: b.data, shape: [4, 4] }], 1).data,
  );
  assertDiffers(
    got,
    concatRef([{ data: a.data, shape: [4, 4] }, { data: b.data, shape: [4, 4] }], 0).data,
  );
  gpu.scope(() =>
    assertThrows(() => concat([a.t, gpu.zeros([3, 4])], 1), RangeError, "Cannot concat")
  );
  assertThrows(() => concat([], 0), RangeError, "no tensors");
  assertThrows(() => concat([a.t], 2), RangeError, "out of range");
  for (const t of [a.t, b.t, out]) t.dispose();
});

/** Shape, axis, start, length. */
const SLICE_CASES: [number[], number, number, number][] = [
  [[1], 0, 0, 1],
  [[7, 13], 0, 2, 3],
  [[7, 13], 1, 5, 7],
  [[7, 13], -1, 0, 13],
  [[2, 5, 5, 12], 3, 4, 8],
  [[2, 5, 5, 19], 3, 3, 16],
  [[33, 6, 3], 1, 1, 4],
  [[4, 9], 1, 9, 0],
];

gpuTest("slice and sliceGrad match the reference", async (gpu) => {
  const rng = rngFor("slice");
  for (const [shape, axis, start, length] of SLICE_CASES) {
    const ax = axis < 0 ? axis + shape.length : axis;
    const x = randomTensor(gpu, rng, shape);
    const y = slice(x.t, axis, start, length);
    const want = sliceRef(x.data, shape, ax, start, length);
    assertEquals(y.shape, want.shape);
    assertAllClose(await y.read(), want.data, { atol: 0, rtol: 0, msg: `slice ${shape}` });
    const dyData = rng.uniformArray(want.data.length);
    const dy = gpu.tensor(dyData, want.shape);
    const dx = sliceGrad(dy, shape, axis, start);
    assertEquals(dx.shape, shape);
    const got = await dx.read();
    assertAllClose(got, sliceGradRef(dyData, shape, ax, start), { atol: 0, rtol: 0 });
    if (start > 0 && length > 0) assertDiffers(got, sliceGradRef(dyData, shape, ax, start - 1));
    for (const t of [x.t, y, dy, dx]) t.dispose();
  }
});

gpuTest("slice ranges are validated", (gpu) => {
  const x = gpu.zeros([3, 4]);
  assertThrows(() => slice(x, 1, 2, 3), RangeError, "outside axis 1");
  assertThrows(() => slice(x, 0, -1, 1), RangeError, "outside");
  assertThrows(() => sliceGrad(x, [3, 5], 0, 0), RangeError, "does not match");
  assertThrows(() => sliceGrad(x, [3, 5], 1, 2), RangeError, "outside");
  x.dispose();
});
