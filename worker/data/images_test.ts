import {
  assert,
  assertAllClose,
  assertEquals,
  assertRejects,
  assertThrows,
} from "../../testing/assert.ts";
import { encode as encodePng } from "fast-png";
import { encode as encodeJpeg } from "jpeg-js";
import { Rng } from "../lib/mod.ts";
import { rgbToLab } from "./color.ts";
import {
  decodeImage,
  encodeRgbPng,
  generateColorImages,
  ImageReadError,
  resizeAndCrop,
  type RgbImage,
} from "./images.ts";
import { readImageFolder } from "./image_folder.ts";

function randomImage(width: number, height: number, seed: number): RgbImage {
  const rng = new Rng(seed);
  const data = new Float32Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = rng.int(256) / 255;
  return { width, height, data };
}

Deno.test("an RGB PNG round-trips through encodeRgbPng and decodeImage", () => {
  const img = randomImage(7, 5, 1);
  const back = decodeImage(encodeRgbPng(img), "x.png");
  assertEquals([back.width, back.height], [7, 5]);
  assertAllClose(back.data, img.data, { atol: 1e-6 });
});

Deno.test("encodeRgbPng clamps to [0, 1] and rounds to 8 bits", () => {
  const img = { width: 3, height: 1, data: new Float32Array([-1, 2, 0.5, 0, 1, 0.1, 0, 0, 0]) };
  const back = decodeImage(encodeRgbPng(img), "x.png");
  assertAllClose(back.data.subarray(0, 6), [0, 1, 128 / 255, 0, 1, 26 / 255], { atol: 1e-6 });
});

Deno.test("grey PNGs (8-bit and packed 4-bit) decode to equal r, g, b", () => {
  const grey8 = encodePng({
    width: 2,
    height: 2,
    data: new Uint8Array([0, 51, 204, 255]),
    channels: 1,
    depth: 8,
  });
  const a = decodeImage(grey8, "g.png");
  assertAllClose(a.data, [0, 0, 0, 0.2, 0.2, 0.2, 0.8, 0.8, 0.8, 1, 1, 1], { atol: 1e-6 });
  // 3 pixels of 4 bits per row: rows are padded to 2 bytes. Rows [1, 15, 7] and [0, 8, 3].
  const grey4 = encodePng({
    width: 3,
    height: 2,
    data: new Uint8Array([0x1f, 0x70, 0x08, 0x30]),
    channels: 1,
    depth: 4,
  });
  const b = decodeImage(grey4, "g4.png");
  assertAllClose(b.data, [1, 15, 7, 0, 8, 3].flatMap((v) => [v / 15, v / 15, v / 15]), {
    atol: 1e-6,
  });
});

Deno.test("alpha is composited over white (grey+alpha and RGBA)", () => {
  const ga = encodePng({
    width: 2,
    height: 1,
    data: new Uint8Array([0, 0, 0, 255]),
    channels: 2,
    depth: 8,
  });
  assertAllClose(decodeImage(ga, "ga.png").data, [1, 1, 1, 0, 0, 0], { atol: 1e-6 });
  const rgba = encodePng({
    width: 3,
    height: 1,
    data: new Uint8Array([255, 0, 0, 255, 255, 0, 0, 0, 0, 0, 255, 51]),
    channels: 4,
    depth: 8,
  });
  assertAllClose(decodeImage(rgba, "rgba.png").data, [1, 0, 0, 1, 1, 1, 0.8, 0.8, 1], {
    atol: 1e-6,
  });
});

Deno.test("16-bit PNGs decode with full precision", () => {
  const png = encodePng({
    width: 2,
    height: 1,
    data: new Uint16Array([0, 1000, 65535, 32768, 12345, 1]),
    channels: 3,
    depth: 16,
  });
  const img = decodeImage(png, "deep.png");
  assertAllClose(img.data, [0, 1000, 65535, 32768, 12345, 1].map((v) => v / 65535), {
    atol: 1e-7,
  });
});

Deno.test("palette PNGs decode through the palette, with tRNS alpha over white", () => {
  const palette = [[0, 0, 0, 0], [255, 0, 0, 255], [0, 128, 255, 255]];
  const png = encodePng({
    width: 4,
    height: 1,
    data: new Uint8Array([1, 2, 0, 1]),
    channels: 1,
    depth: 8,
    palette,
  });
  const img = decodeImage(png, "pal.png");
  assertAllClose(img.data, [1, 0, 0, 0, 128 / 255, 1, 1, 1, 1, 1, 0, 0], { atol: 1e-6 });
});

Deno.test("a JPEG decodes to approximately the encoded colours", () => {
  const width = 32, height = 16;
  const rgba = new Uint8Array(width * height * 4);
  const colours = [[200, 30, 40], [20, 160, 90]];
  for (let i = 0; i < width * height; i++) {
    rgba.set([...colours[(i % width) < 16 ? 0 : 1], 255], 4 * i);
  }
  const jpeg = encodeJpeg({ width, height, data: rgba }, 95).data;
  const img = decodeImage(new Uint8Array(jpeg), "photo.jpg");
  assertEquals([img.width, img.height], [width, height]);
  const expected = new Float32Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    expected.set(colours[(i % width) < 16 ? 0 : 1].map((v) => v / 255), 3 * i);
  }
  assertAllClose(img.data, expected, { atol: 0.06, rtol: 0 });
});

Deno.test("unknown, corrupt and truncated data throw errors naming the file", () => {
  const png = encodeRgbPng(randomImage(16, 16, 2));
  const jpeg = new Uint8Array(
    encodeJpeg({ width: 16, height: 16, data: new Uint8Array(16 * 16 * 4).fill(90) }, 90).data,
  );
  const flipped = png.slice();
  flipped[png.length - 30] ^= 0xff;
  const cases: [Uint8Array, string][] = [
    [new TextEncoder().encode("hello, not an image"), "unknown format"],
    [new Uint8Array(0), "unknown format"],
    [png.subarray(0, png.length - 20), "PNG"],
    [png.subarray(0, 20), "PNG"],
    [flipped, "PNG"],
    [jpeg.subarray(0, jpeg.length >> 1), "JPEG"],
    [jpeg.subarray(0, 10), "JPEG"],
  ];
  for (const [bytes, reason] of cases) {
    const e = assertThrows(() => decodeImage(bytes, "images/x.png"), ImageReadError);
    assert(e.message.startsWith("Cannot read images/x.png: "), e.message);
    assert(e.message.includes(reason), e.message);
  }
});

Deno.test("images above the pixel limit are refused from the header", () => {
  const png = encodeRgbPng(randomImage(4, 4, 3));
  const view = new DataView(png.buffer, png.byteOffset);
  view.setUint32(16, 10000);
  view.setUint32(20, 5000);
  assertThrows(() => decodeImage(png, "big.png"), ImageReadError, "10000×5000 pixels exceeds");
  const jpeg = new Uint8Array(
    encodeJpeg({ width: 8, height: 8, data: new Uint8Array(8 * 8 * 4) }, 90).data,
  );
  const sof = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xc0);
  jpeg.set([0x27, 0x10, 0x27, 0x10], sof + 5); // 10000 × 10000
  assertThrows(() => decodeImage(jpeg, "big.jpg"), ImageReadError, "exceeds the limit");
});

Deno.test("resizeAndCrop averages areas exactly when shrinking", () => {
  // 4×2, one channel value per pixel (replicated to r, g, b).
  const values = [1, 2, 3, 4, 5, 6, 7, 8];
  const img = { width: 4, height: 2, data: new Float32Array(values.flatMap((v) => [v, v, v])) };
  // Size 1: the centre 2×2 square (columns 1–2) averaged.
  assertAllClose(resizeAndCrop(img, 1).data, [4.5, 4.5, 4.5]);
  // Size 2: no scaling, centre crop of columns 1–2.
  assertAllClose(resizeAndCrop(img, 2).data, [2, 3, 6, 7].flatMap((v) => [v, v, v]));
  // 5×2 → 2: the crop starts at column 1.5, so each output pixel is half of two columns.
  const five = {
    width: 5,
    height: 2,
    data: new Float32Array([0, 1, 2, 3, 4, 10, 11, 12, 13, 14].flatMap((v) => [v, v, v])),
  };
  assertAllClose(resizeAndCrop(five, 2).data, [1.5, 2.5, 11.5, 12.5].flatMap((v) => [v, v, v]));
  // 6×4 → 2: 2×2 blocks of the centre 4×4 (columns 1–4).
  const six = { width: 6, height: 4, data: new Float32Array(6 * 4 * 3) };
  for (let i = 0; i < 24; i++) six.data.fill(i, 3 * i, 3 * i + 3);
  // Pixel (x, y) holds 6y + x: e.g. the first block is the mean of 1, 2, 7, 8.
  assertAllClose(resizeAndCrop(six, 2).data, [4.5, 6.5, 16.5, 18.5].flatMap((v) => [v, v, v]));
});

Deno.test("resizeAndCrop keeps constants constant and gives size×size", () => {
  const rgb = [0.2, 0.5, 0.9];
  for (const [w, h, size] of [[13, 7, 5], [3, 5, 8], [10, 10, 10], [1, 1, 4], [9, 4, 3]]) {
    const img = { width: w, height: h, data: new Float32Array(w * h * 3) };
    for (let i = 0; i < w * h; i++) img.data.set(rgb, 3 * i);
    const out = resizeAndCrop(img, size);
    assertEquals([out.width, out.height, out.data.length], [size, size, size * size * 3]);
    for (let i = 0; i < size * size; i++) assertAllClose(out.data.subarray(3 * i, 3 * i + 3), rgb);
  }
});

Deno.test("resizeAndCrop enlarges bilinearly, clamping at the edges", () => {
  // 2×2 with columns 0 and 4 → size 4: output pixel o samples source x = (o + 0.5) / 2 - 0.5.
  const img = { width: 2, height: 2, data: new Float32Array([0, 0, 0, 4, 4, 4, 0, 0, 0, 4, 4, 4]) };
  const out = resizeAndCrop(img, 4);
  const row = [0, 1, 3, 4].flatMap((v) => [v, v, v]);
  assertAllClose(out.data, [...row, ...row, ...row, ...row]);
});

Deno.test("readImageFolder reads nested folders sorted, skips bad files and honours limit", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/b/deep`, { recursive: true });
    await Deno.mkdir(`${root}/a`);
    const write = (rel: string, img: RgbImage) =>
      Deno.writeFile(`${root}/${rel}`, encodeRgbPng(img));
    const imgs = [0, 1, 2, 3].map((i) => randomImage(6, 4, 10 + i));
    await write("b/deep/z.PNG", imgs[0]);
    await write("a/one.png", imgs[1]);
    await write("top.png", imgs[2]);
    await Deno.writeFile(
      `${root}/b/photo.jpeg`,
      new Uint8Array(
        encodeJpeg({ width: 8, height: 8, data: new Uint8Array(8 * 8 * 4).fill(128) }, 90).data,
      ),
    );
    await Deno.writeTextFile(`${root}/a/broken.png`, "not really a png");
    await Deno.writeTextFile(`${root}/notes.txt`, "ignored");
    await write("a/ignored.gif", imgs[3]);
    const warnings: string[] = [];
    const all = await readImageFolder(root, { size: 4, warn: (l) => warnings.push(l) });
    assertEquals(all.names, ["a/one.png", "b/deep/z.PNG", "b/photo.jpeg", "top.png"]);
    assertEquals([all.count, all.size, all.pixels.length], [4, 4, 4 * 4 * 4 * 3]);
    assertEquals(warnings.length, 1);
    assert(warnings[0].startsWith("skipping a/broken.png: unknown format"), warnings[0]);
    assertAllClose(all.pixels.subarray(0, 48), resizeAndCrop(imgs[1], 4).data, { atol: 1e-6 });
    assertAllClose(all.pixels.subarray(2 * 48, 3 * 48), new Float32Array(48).fill(128 / 255), {
      atol: 0.02,
    });
    const two = await readImageFolder(root, { size: 2, limit: 2, warn: () => {} });
    assertEquals(two.names, ["a/one.png", "b/deep/z.PNG"]);
    assertEquals(two.pixels.length, 2 * 2 * 2 * 3);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("readImageFolder throws for a missing root or one without readable images", async () => {
  const root = await Deno.makeTempDir();
  try {
    await assertRejects(
      () => readImageFolder(`${root}/missing`, { size: 4 }),
      Error,
      `Cannot read image folder ${root}/missing`,
    );
    await Deno.writeTextFile(`${root}/bad.jpg`, "nope");
    const warnings: string[] = [];
    await assertRejects(
      () => readImageFolder(root, { size: 4, warn: (l) => warnings.push(l) }),
      Error,
      `Cannot read image folder ${root}: no readable`,
    );
    assertEquals(warnings.length, 1);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("generateColorImages is deterministic, in range and colourful", () => {
  const a = generateColorImages(6, 16, 5);
  assertEquals(a.length, 6 * 16 * 16 * 3);
  assertEquals(a, generateColorImages(6, 16, 5));
  assert(!generateColorImages(6, 16, 6).every((v, i) => v === a[i]), "seed ignored");
  assert(a.every((v) => v >= 0 && v <= 1), "values outside [0, 1]");
  const lab = rgbToLab(a);
  let chroma = 0;
  for (let p = 0; p < lab.length; p += 3) chroma += Math.hypot(lab[p + 1], lab[p + 2]);
  chroma /= lab.length / 3;
  assert(chroma > 20, `mean chroma ${chroma}`);
  // Each image is more than a flat colour: its pixels vary.
  for (let n = 0; n < 6; n++) {
    const img = a.subarray(n * 768, (n + 1) * 768);
    assert(img.some((v, i) => Math.abs(v - img[i % 3]) > 0.05), `image ${n} is flat`);
  }
});
