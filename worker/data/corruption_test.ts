import { assert, assertEquals } from "../../testing/assert.ts";
import { Rng } from "../lib/mod.ts";
import { corruptMaps, epochRng, INPUT_CHANNELS, type Recipe } from "./corruption.ts";

const recipe: Recipe = { mask_min: 0.1, mask_max: 0.3, sigma: 0.5, noise_fraction: 0.25, seed: 0 };

Deno.test("corruption masks a rectangle, noises a fraction, and leaves padding alone", () => {
  const H = 8, W = 16, cells = H * W;
  const values = new Rng(1).uniformArray(4 * cells, -1, 1);
  const valid = new Float32Array(cells).fill(1).fill(0, 100);
  const { inputs, changed } = corruptMaps(values, valid, H, W, [0, 1, 2, 3], recipe, new Rng(2));
  for (let i = 0; i < 4; i++) {
    let masked = 0, noised = 0;
    for (let k = 0; k < cells; k++) {
      const o = (i * cells + k) * INPUT_CHANNELS;
      assertEquals(inputs[o + 1], valid[k]);
      if (valid[k] === 0) {
        assertEquals([inputs[o], changed[i * cells + k]], [0, 0]);
      } else if (inputs[o + 2] === 1) {
        masked++;
        assertEquals(inputs[o], 0);
      } else if (changed[i * cells + k] === 1) {
        noised++;
      } else {
        assertEquals(inputs[o], values[i * cells + k]);
      }
    }
    assert(masked >= 1 && masked <= 0.45 * cells, `masked ${masked}`);
    assert(noised > 0.1 * 100 && noised < 0.4 * 100, `noised ${noised}`);
  }
});

Deno.test("every epoch draws a new corruption, reproducibly", () => {
  const values = new Float32Array(64).fill(1);
  const valid = new Float32Array(64).fill(1);
  const draw = (e: number) => corruptMaps(values, valid, 8, 8, [0], recipe, epochRng(recipe, e));
  assertEquals(draw(3).inputs, draw(3).inputs);
  assert(draw(3).changed.some((v, i) => v !== draw(4).changed[i]));
});

Deno.test("a recipe's hidden cells are masked in every map, in place of a rectangle", () => {
  const H = 4, W = 8, cells = H * W;
  const valid = new Float32Array(cells).fill(1).fill(0, 30);
  const hidden = [1, 5, 6, 17, 29];
  const fixed: Recipe = { ...recipe, mask: "odd_m", hidden, noise_fraction: 0 };
  const values = new Rng(3).uniformArray(3 * cells, -1, 1);
  const { inputs, changed } = corruptMaps(values, valid, H, W, [0, 1, 2], fixed, new Rng(4));
  for (let i = 0; i < 3; i++) {
    for (let k = 0; k < cells; k++) {
      const o = (i * cells + k) * INPUT_CHANNELS;
      const masked = hidden.includes(k) ? 1 : 0;
      assertEquals([inputs[o + 2], changed[i * cells + k]], [masked, masked]);
      assertEquals(inputs[o], masked || valid[k] === 0 ? 0 : values[i * cells + k]);
    }
  }
});
