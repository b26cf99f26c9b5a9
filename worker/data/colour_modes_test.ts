import { assert, assertAlmostEquals, assertEquals, assertThrows } from "../../testing/assert.ts";
import { labToRgb, rgbToLab } from "./color.ts";
import {
  COLOUR_MODE_CLASSES,
  colourModeOdds,
  generateColourModeImages,
  hueAb,
  OBJECT_LIGHTNESS,
  objectWeights,
} from "./colour_modes.ts";

Deno.test("every hue stays in the sRGB gamut over the object lightness range", () => {
  for (const c of COLOUR_MODE_CLASSES) {
    for (const h of c.hues) {
      const [a, b] = hueAb(h);
      for (let l = OBJECT_LIGHTNESS[0]; l <= OBJECT_LIGHTNESS[1]; l += 2) {
        const back = rgbToLab(labToRgb(Float32Array.of(l, a, b)));
        assert(
          Math.hypot(back[0] - l, back[1] - a, back[2] - b) < 0.5,
          `${c.name}/${h.name} at L ${l} is out of gamut`,
        );
      }
    }
  }
});

Deno.test("the hues of a class are at least 45 ΔE_ab apart", () => {
  for (const c of COLOUR_MODE_CLASSES) {
    for (let i = 0; i < c.hues.length; i++) {
      for (let j = i + 1; j < c.hues.length; j++) {
        const [a1, b1] = hueAb(c.hues[i]), [a2, b2] = hueAb(c.hues[j]);
        assert(Math.hypot(a1 - a2, b1 - b2) >= 45, `${c.name}: hues too close`);
      }
    }
  }
});

Deno.test("generated images: objects carry their hue, the background is neutral, seeded", () => {
  const size = 24, count = 40;
  const { pixels, objects } = generateColourModeImages(count, size, 3);
  const again = generateColourModeImages(count, size, 3);
  assertEquals(Array.from(again.pixels.slice(0, 500)), Array.from(pixels.slice(0, 500)));
  const lab = rgbToLab(pixels);
  const cells = size * size;
  const firstOfImage = new Map<number, number>();
  objects.image.forEach((img, o) => firstOfImage.has(img) || firstOfImage.set(img, o));
  assertEquals(firstOfImage.size, count, "every image has an object");
  for (let p = 0; p < count * cells; p++) {
    const id = objects.regions[p];
    if (id === 0) {
      assert(Math.hypot(lab[3 * p + 1], lab[3 * p + 2]) < 0.5, "background is grey");
      continue;
    }
    const o = firstOfImage.get(Math.floor(p / cells))! + id - 1;
    const [a, b] = hueAb(objects.classes[objects.cls[o]].hues[objects.hue[o]]);
    assertAlmostEquals(lab[3 * p + 1], a, 0.5);
    assertAlmostEquals(lab[3 * p + 2], b, 0.5);
  }
});

Deno.test("hues follow the class odds and share one lightness range", () => {
  const { pixels, objects } = generateColourModeImages(1500, 16, 11);
  const lab = rgbToLab(pixels);
  const cells = 16 * 16;
  const byClassHue = new Map<string, { n: number; lightness: number }>();
  const position = new Map<number, number>();
  objects.image.forEach((img, o) => {
    const pos = (position.get(img) ?? 0) + 1;
    position.set(img, pos);
    const c = objects.classes[objects.cls[o]];
    const key = `${c.name}/${c.hues[objects.hue[o]].name}`;
    const entry = byClassHue.get(key) ?? { n: 0, lightness: 0 };
    const p = objects.regions.subarray(img * cells, (img + 1) * cells).indexOf(pos);
    entry.n++;
    entry.lightness += lab[3 * (img * cells + p)];
    byClassHue.set(key, entry);
  });
  const n = (k: string) => byClassHue.get(k)?.n ?? 0;
  const share = (a: string, b: string) => n(a) / (n(a) + n(b));
  assertAlmostEquals(share("disc/red", "disc/blue"), 0.5, 0.06);
  assertAlmostEquals(share("square/green", "square/yellow"), 0.7, 0.06);
  const mean = (k: string) => byClassHue.get(k)!.lightness / n(k);
  assertAlmostEquals(mean("disc/red"), mean("disc/blue"), 1.5);
  assertAlmostEquals(mean("square/green"), mean("square/yellow"), 1.5);
  for (const c of COLOUR_MODE_CLASSES) {
    for (const h of c.hues) {
      const m = mean(`${c.name}/${h.name}`);
      assert(m > c.lightness[0] && m < c.lightness[1], `${c.name}/${h.name} mean L ${m}`);
    }
  }
});

Deno.test("bad sizes and odds are refused", () => {
  assertThrows(() => generateColourModeImages(3, 4, 0));
  assertThrows(() =>
    generateColourModeImages(3, 16, 0, {
      classes: [{
        name: "x",
        shape: "disc",
        hues: [{ name: "r", angle: 0, chroma: 10, odds: 0.4 }],
        lightness: [40, 50],
      }],
    })
  );
});

Deno.test("object weights: 1 on object pixels in every channel, the background weight elsewhere", () => {
  const objects = { regions: Int32Array.of(0, 1, 2, 0, 0, 0, 1, 0) };
  const w = objectWeights(objects, [1, 0], 4, 2, 0.1);
  assertEquals(
    Array.from(w, (v) => Math.round(v * 10) / 10),
    [0.1, 0.1, 0.1, 0.1, 1, 1, 0.1, 0.1, 0.1, 0.1, 1, 1, 1, 1, 0.1, 0.1],
  );
});

Deno.test("the odds of every class sum to 1 and name its hues", () => {
  const odds = colourModeOdds();
  assertEquals(odds.disc, { red: 0.5, blue: 0.5 });
  assertEquals(odds.square, { green: 0.7, yellow: 0.3 });
  assertEquals(odds.triangle, { purple: 1 });
});

Deno.test("maxObjects bounds the objects of every image", () => {
  const perImage = (maxObjects: number) => {
    const { objects } = generateColourModeImages(60, 16, 4, { maxObjects });
    const counts = new Array<number>(60).fill(0);
    objects.image.forEach((img) => counts[img]++);
    return counts;
  };
  assertEquals(perImage(1), new Array<number>(60).fill(1));
  const three = perImage(3);
  assert(three.every((n) => n >= 1 && n <= 3), three.join(","));
  assert(three.some((n) => n > 1), "some image holds several objects");
});
