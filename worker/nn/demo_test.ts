import { assert, assertEquals } from "../../testing/assert.ts";
import { Rng } from "../lib/mod.ts";
import { gpuTest } from "../gpu/_testing.ts";
import { runDemo, syntheticImages } from "./demo.ts";

Deno.test("synthetic images are deterministic and not blank", () => {
  const a = syntheticImages(new Rng(3), 4, 8);
  assertEquals(a, syntheticImages(new Rng(3), 4, 8));
  assert(a.some((v) => v > 0) && a.some((v) => v === 0));
});

gpuTest("the demo's autoencoder loss falls (small run)", async (gpu) => {
  const lines: string[] = [];
  const losses = await runDemo(gpu, {
    images: 32,
    size: 8,
    batch: 16,
    epochs: 4,
    write: (t) => lines.push(t),
    live: false,
  });
  assertEquals(losses.length, 4);
  assert(losses[3] < losses[0], `losses ${losses}`);
  assert(lines.at(-1)!.includes("lower"), lines.join(""));
});
