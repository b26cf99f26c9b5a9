import { assertAlmostEquals, assertEquals, assertThrows } from "../../testing/assert.ts";
import { type ColourObjects, hueAb, LAB_AB_OFFSET, LAB_AB_SCALE } from "../data/mod.ts";
import { colourModeResults, colourModeStats } from "./colour_modes.ts";

const classes: ColourObjects["classes"] = [
  {
    name: "disc",
    shape: "disc",
    hues: [
      { name: "red", angle: 30, chroma: 45, odds: 0.5 },
      { name: "blue", angle: 285, chroma: 40, odds: 0.5 },
    ],
    lightness: [40, 50],
  },
  {
    name: "triangle",
    shape: "triangle",
    hues: [{ name: "purple", angle: 320, chroma: 45, odds: 1 }],
    lightness: [60, 70],
  },
];

/** Two 4-pixel images: image 0 holds a disc (pixels 0–1) and a triangle (2–3); image 1 a disc. */
const objects: ColourObjects = {
  classes,
  image: Int32Array.of(0, 0, 1),
  cls: Int32Array.of(0, 1, 0),
  hue: Int32Array.of(0, 0, 1),
  regions: Int32Array.of(1, 1, 2, 2, 0, 1, 1, 0),
};

const unit = (v: number) => (v + LAB_AB_OFFSET) / LAB_AB_SCALE;

/** One draw of a 4-pixel image: (a, b) per pixel in L*a*b* units. */
function draw(ab: [number, number][]): number[] {
  return ab.flatMap(([a, b]) => [unit(a), unit(b)]);
}

Deno.test("draws are scored per object by the nearest hue within the tolerance", () => {
  const red = hueAb(classes[0].hues[0]), blue = hueAb(classes[0].hues[1]);
  const purple = hueAb(classes[1].hues[0]);
  const grey: [number, number] = [0, 0];
  const near: [number, number] = [red[0] + 10, red[1]];
  const k = 3;
  const predicted = Float32Array.from([
    // input 0 (image 0): disc red, blue, grey; triangle purple, purple, grey
    ...draw([red, red, purple, purple]),
    ...draw([blue, blue, purple, purple]),
    ...draw([grey, grey, grey, grey]),
    // input 1 (image 1): disc near red three times (mean of the region counts)
    ...draw([grey, near, near, grey]),
    ...draw([grey, near, near, grey]),
    ...draw([grey, red, blue, grey]),
  ]);
  const stats = colourModeStats(predicted, objects, [0, 1], {
    draws: k,
    cells: 4,
    width: 4,
    minPixels: 1,
  });
  assertEquals(stats.disc.objects, 2);
  assertAlmostEquals(stats.disc.shares.red, 3 / 6);
  assertAlmostEquals(stats.disc.shares.blue, 1 / 6);
  assertAlmostEquals(stats.disc.between, 2 / 6);
  assertAlmostEquals(stats.disc.all_modes, 1 / 2);
  assertAlmostEquals(stats.triangle.shares.purple, 2 / 3);
  assertAlmostEquals(stats.triangle.all_modes, 1);
  assertEquals(stats.disc.odds, { red: 0.5, blue: 0.5 });
  const results = colourModeResults(stats);
  assertEquals(Object.keys(results.disc), ["red", "blue", "between", "all_modes"]);
});

Deno.test("a tighter tolerance moves near misses to between; small objects are skipped", () => {
  const red = hueAb(classes[0].hues[0]);
  const near: [number, number] = [red[0] + 10, red[1]];
  const predicted = Float32Array.from([
    ...draw([near, near, near, near]),
    ...draw([near, near, near, near]),
  ]);
  const loose = colourModeStats(predicted, objects, [0, 1], {
    draws: 1,
    cells: 4,
    width: 4,
    minPixels: 1,
  });
  const tight = colourModeStats(predicted, objects, [0, 1], {
    draws: 1,
    cells: 4,
    width: 4,
    minPixels: 1,
    tolerance: 5,
  });
  assertAlmostEquals(loose.disc.shares.red, 1);
  assertAlmostEquals(tight.disc.between, 1);
  const skipped = colourModeStats(predicted, objects, [0, 1], {
    draws: 1,
    cells: 4,
    width: 4,
    minPixels: 3,
  });
  assertEquals(skipped.disc.objects, 0);
  assertEquals(Number.isNaN(skipped.disc.between), true);
});

Deno.test("a prediction of the wrong size is refused", () => {
  assertThrows(() =>
    colourModeStats(new Float32Array(5), objects, [0, 1], { draws: 1, cells: 4, width: 4 })
  );
});

Deno.test("only the interior of an object is scored when it has enough interior pixels", () => {
  // A 5×5 image with a 3×3 disc in the middle: one interior pixel (the centre).
  const regions = new Int32Array(25);
  for (let y = 1; y < 4; y++) regions.fill(1, y * 5 + 1, y * 5 + 4);
  const one: ColourObjects = {
    classes,
    image: Int32Array.of(0),
    cls: Int32Array.of(0),
    hue: Int32Array.of(0),
    regions,
  };
  const red = hueAb(classes[0].hues[0]);
  const ab = Array.from({ length: 25 }, (_, c): [number, number] => (c === 12 ? red : [0, 0]));
  const predicted = Float32Array.from(draw(ab));
  const opts = { draws: 1, cells: 25, width: 5 };
  assertAlmostEquals(
    colourModeStats(predicted, one, [0], { ...opts, minPixels: 1 }).disc.shares.red,
    1,
  );
  assertAlmostEquals(
    colourModeStats(predicted, one, [0], { ...opts, minPixels: 2 }).disc.between,
    1,
  );
});
