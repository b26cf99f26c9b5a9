/**
 * A small software renderer for point sets and coefficient maps, encoded as PNG by
 * `worker/lib`: orthographic splats with a depth buffer and depth shading, three
 * axis views side by side; and a diverging heat map of a coefficient map.
 */
import { encodePng } from "../lib/mod.ts";
import type { CoefficientMap } from "./layout.ts";

/** An RGB image. */
export interface Image {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * The three views as (right axis, up axis, depth axis, depth sign): front from −y (x right,
 * z up), side from +x (y right, z up), top from +z (x right, y up).
 */
export type View = readonly [number, number, number, 1 | -1];
const VIEWS: View[] = [[0, 2, 1, -1], [1, 2, 0, 1], [0, 1, 2, 1]];

/** A white RGB image. */
export function blankImage(width: number, height: number): Image {
  return { width, height, data: new Uint8Array(3 * width * height).fill(255) };
}

/**
 * Draws points (coordinates in [−1, 1]) into the `size`×`size` tile at (x0, y0), looking
 * along axis `view[2]`; nearer points are brighter and hide farther ones.
 */
export function drawPoints(
  img: Image,
  points: ArrayLike<number>,
  view: View,
  x0: number,
  y0: number,
  size: number,
  color: readonly [number, number, number],
): void {
  const depth = new Float32Array(size * size).fill(-Infinity);
  const radius = Math.max(1, Math.round(size / 160));
  const [a, b, c, sign] = view;
  for (let i = 0; i < points.length; i += 3) {
    const u = Math.round(((points[i + a] + 1) / 2) * (size - 1));
    const v = Math.round(((1 - points[i + b]) / 2) * (size - 1));
    const d = sign * points[i + c];
    for (let dv = -radius; dv <= radius; dv++) {
      for (let du = -radius; du <= radius; du++) {
        const px = u + du, py = v + dv;
        if (px < 0 || py < 0 || px >= size || py >= size || du * du + dv * dv > radius * radius) {
          continue;
        }
        const o = py * size + px;
        if (d <= depth[o]) continue;
        depth[o] = d;
        const shade = 0.35 + 0.65 * Math.min(1, Math.max(0, (d + 1) / 2));
        const p = 3 * ((y0 + py) * img.width + x0 + px);
        img.data[p] = Math.round(color[0] * shade);
        img.data[p + 1] = Math.round(color[1] * shade);
        img.data[p + 2] = Math.round(color[2] * shade);
      }
    }
  }
}

/**
 * Two rows of three views each (front, side, top): the first row shows `input` (blue), the
 * second `reconstruction` (orange). Returns PNG bytes.
 */
export function renderComparison(
  input: ArrayLike<number>,
  reconstruction: ArrayLike<number>,
  tile = 256,
): Uint8Array {
  const gap = 6;
  const img = blankImage(3 * tile + 4 * gap, 2 * tile + 3 * gap);
  const rows: [ArrayLike<number>, [number, number, number]][] = [[input, [40, 90, 220]], [
    reconstruction,
    [235, 120, 30],
  ]];
  rows.forEach(([pts, color], r) => {
    VIEWS.forEach((view, v) => {
      const x0 = gap + v * (tile + gap);
      const y0 = gap + r * (tile + gap);
      frame(img, x0, y0, tile);
      drawPoints(img, pts, view, x0, y0, tile, color);
    });
  });
  return encodePng(img);
}

/**
 * Heat map of a coefficient map: each cell `cell`×`cell` pixels, blue (negative) through white
 * to red (positive), scaled by the 98th percentile of |value| over valid cells (so Ω_000 does
 * not wash out the rest); padding cells are grey. Returns PNG bytes.
 */
export function renderHeatmap(map: CoefficientMap, cell = 8): Uint8Array {
  const { height, width } = map.layout;
  const img = blankImage(width * cell, height * cell);
  const mags: number[] = [];
  for (let i = 0; i < map.values.length; i++) if (map.mask[i]) mags.push(Math.abs(map.values[i]));
  mags.sort((p, q) => p - q);
  const scale = mags.length
    ? Math.max(mags[Math.min(mags.length - 1, Math.floor(0.98 * mags.length))], 1e-12)
    : 1;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const i = r * width + c;
      const rgb = map.mask[i] ? diverging(map.values[i] / scale) : [160, 160, 160];
      for (let y = 0; y < cell; y++) {
        for (let x = 0; x < cell; x++) {
          img.data.set(rgb, 3 * ((r * cell + y) * img.width + c * cell + x));
        }
      }
    }
  }
  return encodePng(img);
}

function diverging(t: number): number[] {
  const v = Math.max(-1, Math.min(1, t));
  const a = Math.abs(v);
  const far = v >= 0 ? [180, 20, 30] : [30, 60, 170];
  return far.map((f) => Math.round(255 + (f - 255) * a));
}

function frame(img: Image, x0: number, y0: number, size: number): void {
  for (let i = 0; i < size; i++) {
    for (
      const [x, y] of [[x0 + i, y0], [x0 + i, y0 + size - 1], [x0, y0 + i], [x0 + size - 1, y0 + i]]
    ) {
      img.data.set([225, 225, 225], 3 * (y * img.width + x));
    }
  }
}
