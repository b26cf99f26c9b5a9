import { assert, assertEquals, assertThrows } from "../../testing/assert.ts";
import { Rng } from "../lib/mod.ts";
import {
  boxRegion,
  COMPLETION_CHANNELS,
  completionPairs,
  drawBoxFlags,
  validateCompletionRecipe,
} from "./completion.ts";
import type { ImageSet } from "./image_set.ts";

function stripes(count: number, side: number): ImageSet {
  const pixels = new Float32Array(count * side * side);
  for (let i = 0; i < count; i++) {
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        pixels[(i * side + y) * side + x] = (x + i) % 4 === 0 && y > 4 ? 0.5 : 0;
      }
    }
  }
  return {
    count,
    height: side,
    width: side,
    channels: 1,
    pixels,
    labels: new Int32Array(count),
    split: new Int32Array(count),
    classes: ["0"],
    ids: Array.from({ length: count }, (_, i) => `s${i}`),
  };
}

const RECIPE = { overlap_rate: 0.2, box_rate: 0.3, mask_min: 0.5 };

Deno.test("completion: the mask covers the box on the top half, inputs hide masked pixels", () => {
  const set = stripes(40, 16);
  const rows = Array.from({ length: 40 }, (_, i) => i);
  const flags = drawBoxFlags(40, 0.5, new Rng(1));
  const p = completionPairs(set, rows, RECIPE, new Rng(2), flags);
  const box = boxRegion(16, 16);
  assertEquals(box, { top: 1, left: 1, size: 3 });
  const cells = 256;
  for (let i = 0; i < 40; i++) {
    for (let k = 0; k < cells; k++) {
      const y = Math.floor(k / 16), x = k % 16;
      const m = p.masked[i * cells + k];
      if (m) assert(y < 8, "the mask stays on the top half");
      const inBox = y >= 1 && y < 4 && x >= 1 && x < 4;
      if (inBox) assertEquals(m, 1, "the box is always masked");
      if (inBox) assertEquals(p.targets[i * cells + k], flags[i] ? 1 : 0);
      const o = (i * cells + k) * COMPLETION_CHANNELS;
      assertEquals(p.inputs[o + 1], m);
      assertEquals(p.inputs[o], m ? 0 : p.targets[i * cells + k]);
      if (y >= 8) assertEquals(p.targets[i * cells + k], set.pixels[i * cells + k]);
    }
  }
  assertEquals(Array.from(p.boxed), Array.from(flags));
});

Deno.test("completion: overlap takes the maximum of two top halves, test pairs stay clean", () => {
  const set = stripes(30, 16);
  const rows = Array.from({ length: 30 }, (_, i) => i);
  const none = new Uint8Array(30);
  const p = completionPairs(set, rows, { ...RECIPE, overlap_rate: 1 }, new Rng(3), none);
  let changed = 0;
  for (let i = 0; i < 30; i++) {
    for (let k = 0; k < 256; k++) {
      const t = p.targets[i * 256 + k], own = set.pixels[i * 256 + k];
      assert(t >= own);
      if (t !== own) changed++;
    }
  }
  assert(changed > 0, "some top halves received another image's strokes");
  const test = completionPairs(set, rows, { ...RECIPE, overlap_rate: 1 }, new Rng(3), null);
  assertEquals(Array.from(test.targets), Array.from(set.pixels));
  assertEquals(Array.from(test.boxed), Array.from(none));
});

Deno.test("completion: box flags follow the rate, bad recipes are refused by field", () => {
  const flags = drawBoxFlags(10_000, 0.3, new Rng(4));
  const share = flags.reduce((s, f) => s + f, 0) / flags.length;
  assert(Math.abs(share - 0.3) < 0.02, `share ${share}`);
  assertThrows(
    () => validateCompletionRecipe({ ...RECIPE, box_rate: 1.5 }, 16),
    RangeError,
    "box_rate",
  );
  assertThrows(
    () => validateCompletionRecipe({ ...RECIPE, mask_min: 0.1 }, 16),
    RangeError,
    "mask_min",
  );
});
