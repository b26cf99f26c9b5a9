import { assert, assertEquals, assertRejects } from "../../testing/assert.ts";
import { imageAt, imageRows } from "./image_set.ts";
import { loadMnist } from "./mnist.ts";

Deno.test("MNIST: real digits, a split fixed by the seed, padding", async () => {
  const a = await loadMnist({ train: 50, test: 20, seed: 3 });
  const b = await loadMnist({ train: 50, test: 20, seed: 3, pad: 2 });
  const c = await loadMnist({ train: 50, test: 20, seed: 4 });
  assertEquals([a.count, a.height, a.width, a.channels], [70, 28, 28, 1]);
  assertEquals([b.height, b.width], [32, 32]);
  assertEquals(imageRows(a, 0).length, 50);
  assertEquals(imageRows(a, 1), Array.from({ length: 20 }, (_, i) => 50 + i));
  assertEquals(a.ids, b.ids);
  assert(a.ids.join() !== c.ids.join(), "another seed picks other digits");
  assertEquals(new Set(a.ids).size, 70);
  for (let i = 0; i < a.count; i++) {
    const img = imageAt(a, i);
    const ink = img.reduce((s, v) => s + v, 0);
    assert(ink > 20 && ink < 400, `digit ${a.ids[i]} has ${ink} ink`);
    assert(img.every((v) => v >= 0 && v <= 1));
    const padded = imageAt(b, i);
    assertEquals(padded[2 * 32 + 2 + 14 * 32 + 14], img[14 * 28 + 14]);
    assertEquals(padded[0] + padded[31] + padded[32 * 32 - 1], 0);
  }
  assert(new Set(a.labels).size >= 8, "the digits span the classes");
  const small = await loadMnist({ train: 50, test: 20, seed: 3, binning: 2, pad: 1 });
  assertEquals([small.height, small.width], [16, 16]);
  const full = imageAt(a, 5), half = imageAt(small, 5);
  const pooled =
    (full[10 * 28 + 12] + full[10 * 28 + 13] + full[11 * 28 + 12] + full[11 * 28 + 13]) / 4;
  assert(Math.abs(half[(5 + 1) * 16 + 6 + 1] - pooled) < 1e-6);
});

Deno.test("MNIST: the test split never overlaps train, and more than the package is refused", async () => {
  const big = await loadMnist({ train: 9000, test: 900, seed: 0 });
  const train = new Set(imageRows(big, 0).map((i) => big.ids[i]));
  assert(imageRows(big, 1).every((i) => !train.has(big.ids[i])));
  await loadMnist({ train: 1, test: 1, seed: 0 });
  await assertRejects(() => loadMnist({ train: 20_000, test: 1, seed: 0 }), RangeError, "holds");
  await assertRejects(() => loadMnist({ train: 5, test: 5, seed: 0, pad: -1 }), RangeError, "pad");
  await assertRejects(
    () => loadMnist({ train: 5, test: 5, seed: 0, binning: 3 }),
    RangeError,
    "binning",
  );
});
