import { assertAllClose, assertThrows } from "../../../testing/assert.ts";
import { gpuTest } from "../_testing.ts";
import { assertDiffers, randomTensor, rngFor } from "./_testing.ts";
import { l2Normalize, l2NormalizeGrad } from "./normalize.ts";
import { l2NormalizeGradRef, l2NormalizeRef } from "./normalize_ref.ts";

gpuTest("l2Normalize and its gradient match the reference", async (gpu) => {
  const rng = rngFor("l2");
  for (const [rows, dim] of [[1, 1], [7, 13], [33, 64], [1, 3], [65, 7]]) {
    const x = randomTensor(gpu, rng, [rows, dim]);
    const y = l2Normalize(x.t);
    const yData = await y.read();
    assertAllClose(yData, l2NormalizeRef(x.data, dim), { atol: 1e-6 });
    const dy = randomTensor(gpu, rng, [rows, dim]);
    const dx = l2NormalizeGrad(x.t, y, dy.t);
    const got = await dx.read();
    assertAllClose(got, l2NormalizeGradRef(x.data, dy.data, dim), { atol: 2e-5, rtol: 1e-4 });
    if (dim > 1) assertDiffers(got, dy.data);
    for (const t of [x.t, y, dy.t, dx]) t.dispose();
  }
});

gpuTest("l2Normalize guards tiny rows with eps and validates shapes", async (gpu) => {
  const data = [0, 0, 0, 3e-7, -4e-7, 0, 3, 4, 0];
  const x = gpu.tensor(data, [3, 3]);
  const y = l2Normalize(x, 1e-6);
  assertAllClose(await y.read(), l2NormalizeRef(data, 3, 1e-6), { atol: 1e-6 });
  const dyData = [1, -2, 0.5, 1, 1, 1, 0.1, 0.2, 0.3];
  const dy = gpu.tensor(dyData, [3, 3]);
  const dx = l2NormalizeGrad(x, y, dy, 1e-6);
  assertAllClose(await dx.read(), l2NormalizeGradRef(data, dyData, 3, 1e-6), { rtol: 1e-4 });
  gpu.scope(() =>
    assertThrows(() => l2NormalizeGrad(x, y, gpu.zeros([9])), RangeError, "must be equal")
  );
  gpu.scope(() => assertThrows(() => l2Normalize(gpu.zeros([2, 0])), RangeError, "last axis"));
  for (const t of [x, y, dy, dx]) t.dispose();
});
