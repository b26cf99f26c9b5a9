import { assertEquals } from "../../testing/assert.ts";
import { INPUT_CHANNELS } from "../data/mod.ts";
import { lossWeights, targetsOf } from "./map_denoiser.ts";

Deno.test("targets are the clean rows, or clean minus the corrupted value", () => {
  const values = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const inputs = new Float32Array(2 * 3 * INPUT_CHANNELS);
  [4, 0, 6, 0, 2, 0].forEach((v, k) => inputs[k * INPUT_CHANNELS] = v);
  assertEquals([...targetsOf("clean", values, 3, [1, 0], inputs)], [4, 5, 6, 1, 2, 3]);
  assertEquals([...targetsOf("residual", values, 3, [1, 0], inputs)], [0, 5, 0, 1, 0, 3]);
});

Deno.test("loss weights: 1 on corrupted cells, the clean weight on valid cells, 0 on padding", () => {
  const changed = Float32Array.from([1, 0, 0, 0, 1, 0]);
  const valid = Float32Array.from([1, 1, 0]);
  assertEquals([...lossWeights(changed, valid, 0.5)], [1, 0.5, 0, 0.5, 1, 0]);
});
