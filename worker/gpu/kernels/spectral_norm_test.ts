import {
  assert,
  assertAllClose,
  assertAlmostEquals,
  assertThrows,
} from "../../../testing/assert.ts";
import { gpuTest } from "../_testing.ts";
import { assertDiffers, randomTensor, rngFor } from "./_testing.ts";
import { powerIteration, spectralNormGrad } from "./spectral_norm.ts";
import { powerIterationRef, spectralNormGradRef } from "./spectral_norm_ref.ts";

gpuTest("powerIteration updates u, v in place and returns sigma", async (gpu) => {
  const rng = rngFor("power");
  for (const [rows, cols] of [[1, 1], [7, 13], [13, 7], [33, 300], [300, 5]]) {
    const w = randomTensor(gpu, rng, [rows, cols]);
    const u = randomTensor(gpu, rng, [rows]);
    const v = gpu.zeros([cols]);
    const sigma = powerIteration(w.t, u.t, v);
    const want = powerIterationRef(w.data, rows, cols, u.data);
    const msg = `${rows}x${cols}`;
    assertAllClose(await v.read(), want.v, { atol: 1e-5, msg });
    assertAllClose(await u.t.read(), want.u, { atol: 1e-5, msg });
    assertAllClose(await sigma.read(), [want.sigma], { rtol: 1e-5, msg });
    for (const t of [w.t, u.t, v, sigma]) t.dispose();
  }
});

gpuTest("repeated power iterations converge to the largest singular value", async (gpu) => {
  // diag(3, 2, 1) padded to 3x4: sigma_max = 3.
  const w = gpu.tensor([3, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1, 0], [3, 4]);
  const u = gpu.tensor([1, 1, 1], [3]);
  const v = gpu.zeros([4]);
  let sigma = powerIteration(w, u, v);
  const first = (await sigma.read())[0];
  for (let k = 0; k < 30; k++) {
    sigma.dispose();
    sigma = powerIteration(w, u, v);
  }
  assertAlmostEquals((await sigma.read())[0], 3, 1e-4);
  assert(first < 3 - 1e-3, "one step from a generic start must not already be exact");
  assertThrows(() => powerIteration(w, v, u), RangeError, "Cannot run a power iteration");
  for (const t of [w, u, v, sigma]) t.dispose();
});

gpuTest("spectralNormGrad matches the reference", async (gpu) => {
  const rng = rngFor("sn-grad");
  for (const [rows, cols] of [[1, 1], [7, 13], [33, 8]]) {
    const w = randomTensor(gpu, rng, [rows, cols]);
    const u0 = randomTensor(gpu, rng, [rows]);
    const v = gpu.zeros([cols]);
    const sigma = powerIteration(w.t, u0.t, v);
    const uData = await u0.t.read();
    const vData = await v.read();
    const s = (await sigma.read())[0];
    const dy = randomTensor(gpu, rng, [rows, cols]);
    const dw = spectralNormGrad(w.t, u0.t, v, sigma, dy.t);
    const got = await dw.read();
    const want = spectralNormGradRef(w.data, rows, cols, uData, vData, s, dy.data);
    assertAllClose(got, want, { atol: 1e-5, rtol: 1e-4, msg: `${rows}x${cols}` });
    if (rows * cols > 1) assertDiffers(got, dy.data.map((x) => x / s));
    for (const t of [w.t, u0.t, v, sigma, dy.t, dw]) t.dispose();
  }
});
