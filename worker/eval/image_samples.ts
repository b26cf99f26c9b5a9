/**
 * Images of an image task for scoring and display: network outputs or inputs as RGB in [0, 1],
 * completions composited over the visible pixels, and a PNG grid of input, ground truth and
 * samples.
 * @module
 */
import {
  type ImagePairs,
  type ImageSet,
  type ImageTask,
  LAB_AB_OFFSET,
  LAB_AB_SCALE,
  labToRgb,
  unitToLab,
} from "../data/mod.ts";
import { encodePng } from "../lib/mod.ts";

/** Unit value of a = b = 0 (grey). */
const NEUTRAL_AB = LAB_AB_OFFSET / LAB_AB_SCALE;

/** Most samples drawn per row of the grid. */
const GRID_DRAWS = 8;

/**
 * Images as RGB in [0, 1] ([n, H, W, 3]) from the network's outputs or inputs: grey values
 * (completion), or unit (a, b) with the lightness `lightness` (colorization).
 */
export function toRgb(
  task: ImageTask,
  values: Float32Array,
  lightness: Float32Array | null,
): Float32Array {
  if (task.kind === "completion") {
    const out = new Float32Array(values.length * 3);
    values.forEach((v, i) => out.fill(Math.min(1, Math.max(0, v)), i * 3, i * 3 + 3));
    return out;
  }
  const cells = values.length / 2;
  const unit = new Float32Array(cells * 3);
  for (let c = 0; c < cells; c++) {
    unit[c * 3] = lightness![c];
    unit[c * 3 + 1] = values[c * 2];
    unit[c * 3 + 2] = values[c * 2 + 1];
  }
  return labToRgb(unitToLab(unit));
}

/** Repeats each of the m images of `images` k times. */
export function repeatEach(images: Float32Array, m: number, k: number): Float32Array {
  const size = images.length / m;
  const out = new Float32Array(images.length * k);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < k; j++) {
      out.set(images.subarray(i * size, (i + 1) * size), (i * k + j) * size);
    }
  }
  return out;
}

/**
 * Completed images ([m·k, H·W]): the outputs under the mask, the input's visible pixels
 * elsewhere (the loss only constrains the masked pixels when `region_weight` is 0).
 */
export function composite(
  out: Float32Array,
  test: ImagePairs,
  k: number,
  cells: number,
): Float32Array {
  const done = new Float32Array(out.length);
  for (let r = 0; r < out.length / cells; r++) {
    const i = Math.floor(r / k);
    for (let c = 0; c < cells; c++) {
      const masked = test.region[i * cells + c] !== 0;
      done[r * cells + c] = masked ? out[r * cells + c] : test.inputs[(i * cells + c) * 2];
    }
  }
  return done;
}

/** Network inputs as RGB: completion's visible pixels grey, masked dark blue; L as grey. */
export function inputsRgb(task: ImageTask, test: ImagePairs, cells: number): Float32Array {
  if (task.kind !== "completion") {
    return toRgb(task, new Float32Array(test.inputs.length * 2).fill(NEUTRAL_AB), test.inputs);
  }
  const n = test.rows.length * cells;
  const out = new Float32Array(n * 3);
  for (let c = 0; c < n; c++) {
    const v = test.inputs[c * 2], masked = test.inputs[c * 2 + 1] !== 0;
    out.set(masked ? [0.15, 0.2, 0.45] : [v, v, v], c * 3);
  }
  return out;
}

/**
 * A PNG of the first `shown` test inputs, one row each: input, ground truth and up to 8 of the
 * k samples (`predicted` [m·k, H, W, 3]), every image scaled up to at least 48 px.
 */
export function sampleGrid(
  set: Pick<ImageSet, "height" | "width">,
  rgb: { inputs: Float32Array; truth: Float32Array; predicted: Float32Array },
  k: number,
  shown: number,
): Uint8Array {
  const size = set.height * set.width * 3;
  const drawn = Math.min(k, GRID_DRAWS);
  const rows = Array.from({ length: shown }, (_, i) => [
    rgb.inputs.subarray(i * size, (i + 1) * size),
    rgb.truth.subarray(i * size, (i + 1) * size),
    ...Array.from(
      { length: drawn },
      (_, j) => rgb.predicted.subarray((i * k + j) * size, (i * k + j + 1) * size),
    ),
  ]);
  return drawGrid(set.height, set.width, rows);
}

/** Draws rows of RGB images ([h, w, 3] each) as an 8-bit PNG. */
function drawGrid(h: number, w: number, rows: Float32Array[][]): Uint8Array {
  const scale = Math.max(1, Math.ceil(48 / Math.max(h, w)));
  const gap = 4;
  const cols = Math.max(2, ...rows.map((r) => r.length));
  const width = Math.max(1, cols * (w * scale + gap) - gap);
  const height = Math.max(1, rows.length * (h * scale + gap) - gap);
  const data = new Uint8Array(width * height * 3).fill(255);
  rows.forEach((images, row) => {
    images.forEach((img, col) => {
      for (let y = 0; y < h * scale; y++) {
        for (let x = 0; x < w * scale; x++) {
          const src = (Math.floor(y / scale) * w + Math.floor(x / scale)) * 3;
          const o = ((row * (h * scale + gap) + y) * width + col * (w * scale + gap) + x) * 3;
          for (let c = 0; c < 3; c++) data[o + c] = Math.round(255 * img[src + c]);
        }
      }
    });
  });
  return encodePng({ width, height, data });
}
