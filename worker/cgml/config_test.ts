import { assert, assertAlmostEquals, assertEquals, assertThrows } from "../../testing/assert.ts";
import { DEFAULT_CONFIG, makeConfig, PERSISTENT_PRESET, scheduledLr } from "./config.ts";

Deno.test("the defaults are the toy reference's Fig. 3 setting", () => {
  const c = DEFAULT_CONFIG;
  assertEquals(
    [c.latentDim, c.beta, c.innerSteps, c.alpha, c.inferenceSteps, c.batchSize, c.epochs],
    [8, 1, 5, 1, 20, 128, 30],
  );
  assertEquals([c.H.width, c.embedDim, c.leakySlope, c.latents], [64, 32, 0.2, "fresh"]);
  assertEquals([c.optimHG.lr, c.optimZ.lr, c.pairsPerEpoch, c.G.spectralNorm], [
    1e-3,
    1e-3,
    8000,
    false,
  ]);
});

Deno.test("makeConfig merges network and optimiser entries per key", () => {
  const c = makeConfig(PERSISTENT_PRESET, { optimZ: { lr: 3e-4 }, epochs: 2 });
  assertEquals(c.G, { width: 64, spectralNorm: true, outputScale: 10 });
  assertEquals(c.H, DEFAULT_CONFIG.H);
  assertEquals([c.optimZ.lr, c.optimZ.beta2, c.latentDim, c.beta, c.epochs], [
    3e-4,
    0.999,
    4,
    0.3,
    2,
  ]);
  assertEquals(DEFAULT_CONFIG.G.spectralNorm, false);
});

Deno.test("makeConfig rejects invalid fields by name", () => {
  assertThrows(() => makeConfig({ batchSize: 0 }), RangeError, "batchSize");
  assertThrows(() => makeConfig({ latentDim: 1 }), RangeError, "latentDim");
  assertThrows(() => makeConfig({ beta: -1 }), RangeError, "beta");
  assertThrows(() => makeConfig({ G: { outputScale: 0 } }), RangeError, "G needs");
  assertThrows(
    () =>
      makeConfig({
        family: "conv",
        inDim: 64,
        outDim: 64,
        conv: {
          inShape: [8, 8, 1],
          outShape: [8, 8, 1],
          channels: [4, 4, 4, 4],
          latentChannels: 2,
        },
      }),
    RangeError,
    "divisible",
  );
  makeConfig({ method: "l1", latentDim: 0 });
  assertThrows(
    () => makeConfig({ lrSchedule: "linear" as "cosine" }),
    RangeError,
    "lrSchedule",
  );
});

Deno.test("scheduledLr: constant keeps the rate, cosine halves it mid-run and nears 0 at the end", () => {
  assertEquals([0, 3, 9].map((e) => scheduledLr(0.01, undefined, e, 10)), [0.01, 0.01, 0.01]);
  assertEquals(scheduledLr(0.01, "constant", 7, 10), 0.01);
  assertEquals(scheduledLr(0.01, "cosine", 0, 10), 0.01);
  assertAlmostEquals(scheduledLr(0.01, "cosine", 5, 10), 0.005, 1e-12);
  assertAlmostEquals(scheduledLr(0.01, "cosine", 9, 10), 0.01 * (1 + Math.cos(0.9 * Math.PI)) / 2);
  const rates = Array.from({ length: 10 }, (_, e) => scheduledLr(1, "cosine", e, 10));
  assert(rates.every((r, e) => e === 0 || r < rates[e - 1]), "cosine rates fall every epoch");
  assert(rates[9] > 0 && rates[9] < 0.03, `last rate ${rates[9]}`);
});
