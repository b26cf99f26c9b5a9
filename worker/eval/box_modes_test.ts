import { assertAlmostEquals, assertEquals } from "../../testing/assert.ts";
import { boxMean, boxModeStats } from "./box_modes.ts";

const H = 8, W = 8;
const box = { top: 1, left: 1, size: 2 };

function image(boxValue: number, background = 0): Float32Array {
  const img = new Float32Array(H * W).fill(background);
  for (let y = 1; y < 3; y++) img.fill(boxValue, y * W + 1, y * W + 3);
  return img;
}

function stack(images: Float32Array[]): Float32Array {
  const out = new Float32Array(images.length * H * W);
  images.forEach((im, i) => out.set(im, i * H * W));
  return out;
}

Deno.test("box mean averages the box region of one image", () => {
  const imgs = stack([image(0), image(0.5), image(1)]);
  assertEquals([0, 1, 2].map((i) => boxMean(imgs, i, { height: H, width: W, box })), [0, 0.5, 1]);
});

Deno.test("samples are sorted into box, no box and between by t = (s − s₀)/(1 − s₀)", () => {
  const clean = stack([image(0), image(0.2)]);
  const samples = stack([
    image(1),
    image(0.9),
    image(0.05),
    image(0.5),
    image(0.2),
    image(0.9),
    image(0.6),
    image(0.35),
  ]);
  const s = boxModeStats(samples, clean, { height: H, width: W, box, draws: 4 });
  // Input 0 (s₀ = 0): t = 1, 0.9, 0.05, 0.5 → box, box, no box, between.
  // Input 1 (s₀ = 0.2): t = 0, 0.875, 0.5, 0.1875 → no box, box, between, no box.
  assertEquals(s.samples, 8);
  assertAlmostEquals(s.box, 3 / 8, 1e-12);
  assertAlmostEquals(s.no_box, 3 / 8, 1e-12);
  assertAlmostEquals(s.between, 2 / 8, 1e-12);
  assertEquals(s.both_modes, 1);
  const grey = boxModeStats(stack([image(0.5), image(0.45)]), stack([image(0)]), {
    height: H,
    width: W,
    box,
    draws: 2,
  });
  assertEquals([grey.box, grey.no_box, grey.between, grey.both_modes], [0, 0, 1, 0]);
});

Deno.test("inputs whose clean box region is already bright are skipped", () => {
  const s = boxModeStats(stack([image(1)]), stack([image(0.8)]), {
    height: H,
    width: W,
    box,
    draws: 1,
  });
  assertEquals(s.samples, 0);
  assertEquals(Number.isNaN(s.box), true);
});
