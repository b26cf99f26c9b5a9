/**
 * Images for the `dataset.images` stage: decoding PNG and JPEG files to float RGB, resizing to
 * a square, and generating colourful test images (folders of them: `image_folder.ts`).
 *
 * Pixels are float32 HWC (height × width × 3) in [0, 1]. Colour profiles (ICC, gAMA) are
 * ignored: the stored values are taken as sRGB.
 * @module
 */
import { decode as decodePng } from "fast-png";
import { decode as decodeJpeg } from "jpeg-js";
import { encodePng, Rng } from "../lib/mod.ts";

/** An RGB image: `data` is HWC with 3 channels, values in [0, 1]. */
export interface RgbImage {
  width: number;
  height: number;
  data: Float32Array;
}

/** Largest image decoded, in pixels (40 megapixels); checked from the header before decoding. */
export const MAX_IMAGE_PIXELS = 40_000_000;
/** Memory cap handed to the JPEG decoder, in MB (a 40-megapixel JPEG needs up to about 850 MB). */
export const JPEG_MAX_MEMORY_MB = 1024;
/** Largest image file read by {@link readImageFolder}, in bytes (256 MiB). */
export const MAX_IMAGE_FILE_BYTES = 256 * 1024 * 1024;
/** File extensions {@link readImageFolder} takes (compared case-insensitively). */
export const IMAGE_EXTENSIONS: readonly string[] = [".png", ".jpg", ".jpeg"];

/** An image file that cannot be decoded; the message names the file and the reason. */
export class ImageReadError extends Error {
  override name = "ImageReadError";
  /** The file (or label) being read. */
  readonly file: string;
  /** Why it cannot be read. */
  readonly reason: string;

  constructor(file: string, reason: string) {
    super(`Cannot read ${file}: ${reason}`);
    this.file = file;
    this.reason = reason;
  }
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

/** Reason-carrying failure inside a decoder; turned into an {@link ImageReadError}. */
class Bad extends Error {}

/**
 * Decodes PNG or JPEG bytes (format detected from the magic bytes, not the name) to float RGB.
 * PNG: grey, grey+alpha, RGB, RGBA and palette images at any bit depth; transparency (alpha
 * channel, tRNS palette alpha or colour key) is composited over white. JPEG: baseline and
 * progressive, grey, YCbCr or CMYK. Images over {@link MAX_IMAGE_PIXELS} are refused before
 * decoding. Throws an {@link ImageReadError} naming `name` for unknown, corrupt or truncated
 * data.
 */
export function decodeImage(bytes: Uint8Array, name: string): RgbImage {
  const format = startsWith(bytes, PNG_MAGIC) ? "PNG" : startsWith(bytes, JPEG_MAGIC) ? "JPEG" : "";
  if (!format) throw new ImageReadError(name, "unknown format (expected PNG or JPEG data)");
  try {
    return format === "PNG" ? decodePngImage(bytes) : decodeJpegImage(bytes);
  } catch (e) {
    throw new ImageReadError(
      name,
      e instanceof Bad
        ? e.message
        : `corrupt, truncated or unsupported ${format} (${errorText(e)})`,
    );
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function checkSize(width: number, height: number): void {
  if (!(width > 0 && height > 0)) throw new Bad(`invalid image size ${width}×${height}`);
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new Bad(
      `image of ${width}×${height} pixels exceeds the limit of ${
        MAX_IMAGE_PIXELS / 1e6
      } megapixels`,
    );
  }
}

function decodePngImage(bytes: Uint8Array): RgbImage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== "IHDR") {
    throw new Bad("corrupt PNG: missing IHDR header");
  }
  checkSize(view.getUint32(16), view.getUint32(20));
  const png = decodePng(bytes, { checkCrc: true });
  const { width, height, depth, channels } = png;
  const n = width * height;
  const samples = unpackSamples(png.data, width, height, channels, depth);
  const out = new Float32Array(n * 3);
  if (png.palette) {
    const palette = png.palette;
    for (let i = 0; i < n; i++) {
      const entry = palette[samples[i]];
      if (!entry) throw new Bad(`corrupt PNG: palette index ${samples[i]} out of range`);
      const alpha = entry.length > 3 ? entry[3] / 255 : 1;
      for (let c = 0; c < 3; c++) out[3 * i + c] = overWhite(entry[c] / 255, alpha);
    }
    return { width, height, data: out };
  }
  const max = 2 ** depth - 1;
  const key = png.transparency;
  const hasAlpha = channels === 2 || channels === 4;
  const colours = hasAlpha ? channels - 1 : channels;
  for (let i = 0; i < n; i++) {
    const s = i * channels;
    let alpha = hasAlpha ? samples[s + colours] / max : 1;
    if (key && key.length === colours && key.every((k, c) => samples[s + c] === k)) alpha = 0;
    for (let c = 0; c < 3; c++) {
      out[3 * i + c] = overWhite(samples[s + (colours === 1 ? 0 : c)] / max, alpha);
    }
  }
  return { width, height, data: out };
}

function overWhite(value: number, alpha: number): number {
  return value * alpha + (1 - alpha);
}

/** One sample per array element: unpacks 1/2/4-bit rows (each row starts on a byte). */
function unpackSamples(
  data: ArrayLike<number>,
  width: number,
  height: number,
  channels: number,
  depth: number,
): ArrayLike<number> {
  const perRow = width * channels;
  if (depth >= 8) {
    if (data.length !== perRow * height) throw new Bad("corrupt PNG: wrong amount of pixel data");
    return data;
  }
  const rowBytes = Math.ceil((perRow * depth) / 8);
  if (data.length !== rowBytes * height) throw new Bad("corrupt PNG: wrong amount of pixel data");
  const out = new Uint8Array(perRow * height);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < perRow; i++) {
      const bit = i * depth;
      const byte = data[y * rowBytes + (bit >> 3)];
      out[y * perRow + i] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}

function decodeJpegImage(bytes: Uint8Array): RgbImage {
  const size = jpegSize(bytes);
  if (size) checkSize(size.width, size.height);
  const img = decodeJpeg(bytes, {
    useTArray: true,
    formatAsRGBA: false,
    maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
    maxMemoryUsageInMB: JPEG_MAX_MEMORY_MB,
  });
  checkSize(img.width, img.height);
  const data = new Float32Array(img.width * img.height * 3);
  for (let i = 0; i < data.length; i++) data[i] = img.data[i] / 255;
  return { width: img.width, height: img.height, data };
}

/** Frame size from the first SOF marker, or null when the markers cannot be followed. */
function jpegSize(bytes: Uint8Array): { width: number; height: number } | null {
  let p = 2;
  while (p + 3 < bytes.length) {
    if (bytes[p] !== 0xff) return null;
    const marker = bytes[p + 1];
    if (marker === 0xff) {
      p++;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      p += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return null;
    const isSof = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (isSof && p + 8 < bytes.length) {
      return {
        height: (bytes[p + 5] << 8) | bytes[p + 6],
        width: (bytes[p + 7] << 8) | bytes[p + 8],
      };
    }
    p += 2 + ((bytes[p + 2] << 8) | bytes[p + 3]);
  }
  return null;
}

/** Source taps and weights of each output index along one axis. */
interface Taps {
  index: number[][];
  weight: number[][];
}

/**
 * Output index o covers the source interval [start + o·step, start + (o+1)·step). Shrinking
 * (step > 1): each source pixel weighs by its overlap with the interval (area average).
 * Otherwise: bilinear at the interval's centre, clamped to the edge pixels.
 */
function axisTaps(srcLen: number, start: number, step: number, outLen: number): Taps {
  const index: number[][] = [];
  const weight: number[][] = [];
  for (let o = 0; o < outLen; o++) {
    const a = start + o * step;
    const b = a + step;
    const idx: number[] = [];
    const w: number[] = [];
    if (step > 1) {
      for (let i = Math.floor(a); i < Math.min(srcLen, Math.ceil(b)); i++) {
        const overlap = Math.min(b, i + 1) - Math.max(a, i);
        if (overlap > 0) {
          idx.push(i);
          w.push(overlap / step);
        }
      }
    } else {
      const x = Math.min(srcLen - 1, Math.max(0, (a + b) / 2 - 0.5));
      const i0 = Math.floor(x);
      const i1 = Math.min(srcLen - 1, i0 + 1);
      idx.push(i0, i1);
      w.push(1 - (x - i0), x - i0);
    }
    index.push(idx);
    weight.push(w);
  }
  return { index, weight };
}

function checkImage(img: RgbImage): void {
  const { width, height, data } = img;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`invalid image size ${width}×${height}`);
  }
  if (data.length !== width * height * 3) {
    throw new RangeError(`image data has ${data.length} values, expected ${width * height * 3}`);
  }
}

/**
 * Scales `img` so its shorter side becomes `size` (area averaging when shrinking, bilinear
 * when enlarging), then crops the centre `size`×`size`. The crop is placed in source
 * coordinates, so an odd leftover is split evenly and the half pixels are weighed by area.
 */
export function resizeAndCrop(img: RgbImage, size: number): RgbImage {
  checkImage(img);
  if (!(Number.isInteger(size) && size > 0)) {
    throw new RangeError(`size must be a positive integer, got ${size}`);
  }
  const { width, height, data } = img;
  const side = Math.min(width, height);
  const step = side / size;
  const xs = axisTaps(width, (width - side) / 2, step, size);
  const ys = axisTaps(height, (height - side) / 2, step, size);
  const rows = new Float64Array(height * size * 3);
  for (let y = 0; y < height; y++) {
    for (let o = 0; o < size; o++) {
      const idx = xs.index[o], w = xs.weight[o];
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let k = 0; k < idx.length; k++) s += w[k] * data[(y * width + idx[k]) * 3 + c];
        rows[(y * size + o) * 3 + c] = s;
      }
    }
  }
  const out = new Float32Array(size * size * 3);
  for (let o = 0; o < size; o++) {
    const idx = ys.index[o], w = ys.weight[o];
    for (let x = 0; x < size * 3; x++) {
      let s = 0;
      for (let k = 0; k < idx.length; k++) s += w[k] * rows[idx[k] * size * 3 + x];
      out[o * size * 3 + x] = s;
    }
  }
  return { width: size, height: size, data: out };
}

/** Encodes an image as an 8-bit RGB PNG (values clamped to [0, 1] and rounded). */
export function encodeRgbPng(img: RgbImage): Uint8Array {
  checkImage(img);
  const data = new Uint8Array(img.data.length);
  for (let i = 0; i < data.length; i++) {
    data[i] = Math.round(Math.min(1, Math.max(0, img.data[i])) * 255);
  }
  return encodePng({ width: img.width, height: img.height, data });
}

type Colour = [number, number, number];

function randomColour(rng: Rng): Colour {
  return [rng.next(), rng.next(), rng.next()];
}

/** Inside-test of one random shape, in unit coordinates. */
function randomShape(rng: Rng): (x: number, y: number) => boolean {
  const cx = rng.uniform(0.2, 0.8), cy = rng.uniform(0.2, 0.8);
  const kind = rng.int(3);
  if (kind === 0) {
    const r = rng.uniform(0.1, 0.3);
    return (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  }
  if (kind === 1) {
    const hw = rng.uniform(0.08, 0.3), hh = rng.uniform(0.08, 0.3);
    return (x, y) => Math.abs(x - cx) <= hw && Math.abs(y - cy) <= hh;
  }
  const r = rng.uniform(0.15, 0.35);
  const phase = rng.uniform(0, 2 * Math.PI);
  const v = [0, 1, 2].map((k) => {
    const t = phase + (2 * Math.PI * k) / 3 + rng.uniform(-0.4, 0.4);
    return [cx + r * Math.cos(t), cy + r * Math.sin(t)];
  });
  const side = (a: number[], b: number[], x: number, y: number) =>
    (b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]);
  return (x, y) => {
    const s0 = side(v[0], v[1], x, y), s1 = side(v[1], v[2], x, y), s2 = side(v[2], v[0], x, y);
    return (s0 >= 0 && s1 >= 0 && s2 >= 0) || (s0 <= 0 && s1 <= 0 && s2 <= 0);
  };
}

/**
 * `count` random `size`×`size` RGB images ([count, size, size, 3] in [0, 1]) whose colours are
 * ambiguous given lightness: a linear gradient between two uniformly random colours in a random
 * direction, overlaid with 1–3 shapes (disc, rectangle or triangle) of uniformly random colours.
 * Deterministic per `seed`.
 */
export function generateColorImages(count: number, size: number, seed: number): Float32Array {
  if (!(Number.isInteger(count) && count >= 0 && Number.isInteger(size) && size > 0)) {
    throw new RangeError(`invalid count ${count} or size ${size}`);
  }
  const rng = new Rng(seed);
  const out = new Float32Array(count * size * size * 3);
  for (let n = 0; n < count; n++) {
    const c0 = randomColour(rng), c1 = randomColour(rng);
    const angle = rng.uniform(0, 2 * Math.PI);
    const dx = Math.cos(angle), dy = Math.sin(angle);
    const half = (Math.abs(dx) + Math.abs(dy)) / 2;
    const shapes = Array.from({ length: 1 + rng.int(3) }, () => ({
      inside: randomShape(rng),
      colour: randomColour(rng),
    }));
    for (let py = 0; py < size; py++) {
      for (let px = 0; px < size; px++) {
        const x = (px + 0.5) / size, y = (py + 0.5) / size;
        const t = ((x - 0.5) * dx + (y - 0.5) * dy + half) / (2 * half);
        let colour = [0, 1, 2].map((c) => c0[c] + (c1[c] - c0[c]) * t);
        for (const s of shapes) if (s.inside(x, y)) colour = s.colour;
        out.set(colour, ((n * size + py) * size + px) * 3);
      }
    }
  }
  return out;
}
