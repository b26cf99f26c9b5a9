import { assert, assertAlmostEquals, assertEquals, assertThrows } from "../../testing/assert.ts";
import { Rng } from "../lib/mod.ts";
import { type ImageShape, psnr, ssim } from "./image_metrics.ts";

/** Direct float64 SSIM: 2D Gaussian window, half-sample reflection, per-pixel loops. */
function slowSsim(
  pred: Float32Array,
  target: Float32Array,
  { count, height, width, channels }: ImageShape,
  window: number,
  mask?: Float32Array,
): number {
  const r = (window - 1) / 2;
  const weights: number[][] = [];
  let total = 0;
  for (let i = 0; i < window; i++) {
    weights.push([]);
    for (let j = 0; j < window; j++) {
      const v = Math.exp(-((i - r) ** 2 + (j - r) ** 2) / (2 * 1.5 * 1.5));
      weights[i].push(v);
      total += v;
    }
  }
  const reflect = (i: number, n: number) => (i < 0 ? -i - 1 : i >= n ? 2 * n - i - 1 : i);
  const c1 = 0.01 ** 2, c2 = 0.03 ** 2;
  let sumImages = 0, images = 0;
  for (let n = 0; n < count; n++) {
    let sumChannels = 0;
    let selected = 0;
    for (let c = 0; c < channels; c++) {
      let sum = 0;
      selected = 0;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          if (mask && mask[(n * height + y) * width + x] === 0) continue;
          let ux = 0, uy = 0, xx = 0, yy = 0, xy = 0;
          for (let i = 0; i < window; i++) {
            for (let j = 0; j < window; j++) {
              const sy = reflect(y + i - r, height), sx = reflect(x + j - r, width);
              const k = ((n * height + sy) * width + sx) * channels + c;
              const wgt = weights[i][j] / total;
              ux += wgt * pred[k];
              uy += wgt * target[k];
              xx += wgt * pred[k] * pred[k];
              yy += wgt * target[k] * target[k];
              xy += wgt * pred[k] * target[k];
            }
          }
          const vx = xx - ux * ux, vy = yy - uy * uy, cov = xy - ux * uy;
          sum += ((2 * ux * uy + c1) * (2 * cov + c2)) /
            ((ux * ux + uy * uy + c1) * (vx + vy + c2));
          selected++;
        }
      }
      if (selected > 0) sumChannels += sum / selected;
    }
    if (selected > 0) {
      sumImages += sumChannels / channels;
      images++;
    }
  }
  return sumImages / images;
}

/** A smooth random image batch plus a fixed noise pattern. */
function smoothImages(shape: ImageShape, seed: number): Float32Array {
  const { count, height, width, channels } = shape;
  const rng = new Rng(seed);
  const out = new Float32Array(count * height * width * channels);
  for (let n = 0; n < count; n++) {
    for (let c = 0; c < channels; c++) {
      const fx = rng.uniform(0.1, 0.5), fy = rng.uniform(0.1, 0.5), phase = rng.uniform(0, 6);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          out[((n * height + y) * width + x) * channels + c] = 0.5 +
            0.4 * Math.sin(fx * x + fy * y + phase) * Math.cos(0.3 * fy * x - fx * y);
        }
      }
    }
  }
  return out;
}

Deno.test("identical images: PSNR is Infinity and SSIM is 1", () => {
  const shape = { count: 2, height: 12, width: 10, channels: 3 };
  const a = smoothImages(shape, 1);
  assertEquals(psnr(a, a.slice()), Infinity);
  assertAlmostEquals(ssim(a, a.slice(), shape), 1, 1e-12);
});

Deno.test("PSNR of a constant offset d is -20·log10(d)", () => {
  const target = new Float32Array(300).map((_, i) => (i % 128) / 256);
  for (const d of [0.5, 0.125, 1 / 64]) {
    const pred = target.map((v) => v + d);
    assertAlmostEquals(psnr(pred, target), -20 * Math.log10(d), 1e-12);
    assertAlmostEquals(psnr(pred, target, { peak: 255 }), 20 * Math.log10(255 / d), 1e-9);
  }
});

Deno.test("the mask restricts PSNR and SSIM to the selected elements", () => {
  const shape = { count: 1, height: 16, width: 20, channels: 2 };
  const target = smoothImages(shape, 2);
  const pred = target.slice();
  const rng = new Rng(3);
  const pixelMask = new Float32Array(16 * 20);
  for (let y = 0; y < 16; y++) {
    for (let x = 0; x < 20; x++) {
      // Columns ≥ 14 are noisy; the mask keeps columns < 6, farther than the window radius 5.
      if (x >= 14) { for (let c = 0; c < 2; c++) pred[(y * 20 + x) * 2 + c] += rng.normal(0, 0.2); }
      pixelMask[y * 20 + x] = x < 6 ? 1 : 0;
    }
  }
  const elementMask = new Float32Array(pred.length).map((_, i) => pixelMask[i >> 1]);
  assertEquals(psnr(pred, target, { mask: elementMask }), Infinity);
  assert(psnr(pred, target) < 30);
  assertAlmostEquals(ssim(pred, target, shape, { mask: pixelMask }), 1, 1e-12);
  assert(ssim(pred, target, shape) < 0.9);
  assertThrows(() => psnr(pred, target, { mask: new Float32Array(pred.length) }), RangeError);
  assertThrows(() => ssim(pred, target, shape, { mask: new Float32Array(320) }), RangeError);
});

Deno.test("SSIM matches a direct float64 implementation on small random images", () => {
  const shape = { count: 3, height: 7, width: 9, channels: 2 };
  const rng = new Rng(4);
  const size = 3 * 7 * 9 * 2;
  const target = rng.uniformArray(size, 0, 1);
  const pred = target.map((v) => Math.min(1, Math.max(0, v + rng.normal(0, 0.15))));
  // Default window on 7×9 is 7.
  assertAlmostEquals(ssim(pred, target, shape), slowSsim(pred, target, shape, 7), 1e-6);
  assertAlmostEquals(
    ssim(pred, target, shape, { window: 5 }),
    slowSsim(pred, target, shape, 5),
    1e-6,
  );
  const mask = new Float32Array(3 * 7 * 9).map(() => (rng.next() < 0.4 ? 1 : 0));
  mask.fill(0, 63, 126); // the second image has no selected pixel and is left out
  assertAlmostEquals(
    ssim(pred, target, shape, { mask }),
    slowSsim(pred, target, shape, 7, mask),
    1e-6,
  );
});

Deno.test("SSIM falls monotonically as noise grows", () => {
  const shape = { count: 2, height: 28, width: 28, channels: 3 };
  const target = smoothImages(shape, 5);
  const noise = new Rng(6).normalArray(target.length);
  let previous = 1;
  for (const level of [0.01, 0.03, 0.1, 0.2, 0.4]) {
    const pred = target.map((v, i) => v + level * noise[i]);
    const s = ssim(pred, target, shape);
    assert(s < previous, `SSIM ${s} at noise ${level} not below ${previous}`);
    previous = s;
  }
  assert(previous < 0.3, `SSIM at noise 0.4 is ${previous}`);
});

Deno.test("SSIM of an image and its negative is low", () => {
  const shape = { count: 2, height: 20, width: 24, channels: 3 };
  const a = smoothImages(shape, 7);
  const s = ssim(a.map((v) => 1 - v), a, shape);
  assert(s < 0.2, `SSIM vs negative ${s}`);
});

Deno.test("ssim rejects bad shapes and windows", () => {
  const a = new Float32Array(2 * 5 * 5);
  const shape = { count: 2, height: 5, width: 5, channels: 1 };
  assertThrows(() => ssim(a, a, { ...shape, count: 3 }), RangeError, "expected 75 values");
  assertThrows(() => ssim(a, a, shape, { window: 4 }), RangeError, "odd");
  assertThrows(() => ssim(a, a, shape, { window: 13 }), RangeError, "at most 11");
  assertAlmostEquals(ssim(a, a, shape, { window: 11 }), 1, 1e-12);
});
