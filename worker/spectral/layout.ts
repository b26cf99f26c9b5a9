/**
 * Bijective 2-D layouts of coefficient lists (SPECTRAL.md §7), each with a validity mask.
 *
 * - Zernike "spectral raster": cell (i, j) holds canonical coefficient t = i·W + j; cells with
 *   t ≥ C(N) are padding. H × W is the smallest-area pair of multiples of 8 with H ≤ W ≤ 2H
 *   and H·W ≥ C(N) (ties: the squarer one): N = 16 → 32×32, N = 20 → 32×56.
 * - SH "folded square": (L+1) × (L+1), full. m ≥ 0 at (row, col) = (l, m); m < 0 at
 *   (|m| − 1, l).
 */
import { shCount, zernikeCount } from "./indexing.ts";

/** A layout: map size plus lookup tables both ways. */
export interface MapLayout {
  kind: "zernike-raster" | "sh-folded";
  /** Zernike order N or SH degree L. */
  order: number;
  height: number;
  width: number;
  /** Number of coefficients (valid cells). */
  count: number;
  /** coefficient index → cell (row·width + col). */
  cellOf: Int32Array;
  /** cell → coefficient index, −1 for padding. */
  coefficientOf: Int32Array;
}

/** A coefficient map: values and the validity mask (1 valid, 0 padding), row-major H × W. */
export interface CoefficientMap {
  layout: MapLayout;
  values: Float64Array;
  mask: Uint8Array;
}

/** The raster size (H, W) for `count` coefficients. */
export function rasterSize(count: number): { height: number; width: number } {
  let best = { height: 8, width: 8, area: Infinity };
  for (let h = 8; h * h <= 8 * Math.max(count, 64); h += 8) {
    const w = Math.max(h, Math.ceil(count / h / 8) * 8);
    if (w > 2 * h) continue;
    const area = h * w;
    if (area < best.area || (area === best.area && w - h < best.width - best.height)) {
      best = { height: h, width: w, area };
    }
  }
  return { height: best.height, width: best.width };
}

/** The spectral-raster layout of Zernike order `order`. */
export function zernikeRasterLayout(order: number): MapLayout {
  const count = zernikeCount(order);
  const { height, width } = rasterSize(count);
  const cellOf = new Int32Array(count);
  const coefficientOf = new Int32Array(height * width).fill(-1);
  for (let t = 0; t < count; t++) {
    cellOf[t] = t;
    coefficientOf[t] = t;
  }
  return { kind: "zernike-raster", order, height, width, count, cellOf, coefficientOf };
}

/** The folded-square layout of SH degree `degree`. */
export function shFoldedLayout(degree: number): MapLayout {
  const count = shCount(degree);
  const side = degree + 1;
  const cellOf = new Int32Array(count);
  const coefficientOf = new Int32Array(side * side).fill(-1);
  for (let l = 0; l <= degree; l++) {
    for (let m = -l; m <= l; m++) {
      const [row, col] = m >= 0 ? [l, m] : [-m - 1, l];
      const c = l * l + l + m;
      cellOf[c] = row * side + col;
      coefficientOf[row * side + col] = c;
    }
  }
  return {
    kind: "sh-folded",
    order: degree,
    height: side,
    width: side,
    count,
    cellOf,
    coefficientOf,
  };
}

/** Lays coefficients out as a map (padding cells hold 0 and mask 0). */
export function toMap(coefficients: ArrayLike<number>, layout: MapLayout): CoefficientMap {
  if (coefficients.length !== layout.count) {
    throw new RangeError(
      `Cannot lay out ${coefficients.length} coefficients: the ${layout.kind} layout of order ${layout.order} holds ${layout.count}`,
    );
  }
  const values = new Float64Array(layout.height * layout.width);
  const mask = new Uint8Array(layout.height * layout.width);
  for (let c = 0; c < layout.count; c++) {
    values[layout.cellOf[c]] = coefficients[c];
    mask[layout.cellOf[c]] = 1;
  }
  return { layout, values, mask };
}

/** Reads the coefficient list back from a map (inverse of {@link toMap}). */
export function fromMap(values: ArrayLike<number>, layout: MapLayout): Float64Array {
  if (values.length !== layout.height * layout.width) {
    throw new RangeError(
      `Cannot read a ${layout.height}×${layout.width} map from ${values.length} values`,
    );
  }
  const out = new Float64Array(layout.count);
  for (let c = 0; c < layout.count; c++) out[c] = values[layout.cellOf[c]];
  return out;
}

/** The map as a 2-channel H × W × 2 array (value, validity mask), e.g. for a network. */
export function mapChannels(map: CoefficientMap): Float32Array {
  const out = new Float32Array(2 * map.values.length);
  for (let i = 0; i < map.values.length; i++) {
    out[2 * i] = map.values[i];
    out[2 * i + 1] = map.mask[i];
  }
  return out;
}
