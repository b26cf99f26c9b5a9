/**
 * Map sets: the Zernike moments (surface density) or SH coefficients (cap-max extent) of every
 * cloud of a shape set, laid out as 2-D maps and standardised per cell with statistics of the
 * train split (σ floored at 1e-6 · max σ, values clipped to ±clip), plus the raw rotation
 * invariants. {@link mapLayout} names the layout a map set (or a model trained on one) uses.
 * @module
 */
import type { Gpu } from "../gpu/mod.ts";
import { shFromPointsBatch, zernikeMomentsBatch } from "./gpu/batch.ts";
import { shInvariants, zernikeInvariants } from "./invariants.ts";
import { type MapLayout, shFoldedLayout, zernikeRasterLayout } from "./layout.ts";
import type { ShapeSet, ShapeSetMeta } from "./shape_set.ts";

/** Settings of a map set. */
export interface MapSetOptions {
  basis: "zernike" | "sh";
  /** Zernike order N or SH degree L. */
  order: number;
  /** Standardised values are clipped to ±clip. */
  clip: number;
}

/** Metadata of a map set. */
export interface MapSetMeta extends ShapeSetMeta, MapSetOptions {
  height: number;
  width: number;
}

/** A map set. */
export interface MapSet {
  meta: MapSetMeta;
  /** Standardised values [N, H, W] (padding 0). */
  values: Float32Array;
  /** Validity of each cell [H, W] (1 = a coefficient, 0 = padding). */
  valid: Float32Array;
  /** Per-cell mean and std of the raw coefficients (train split). */
  mean: Float32Array;
  std: Float32Array;
  labels: Int32Array;
  split: Int32Array;
  /** Raw rotation invariants [N, K]. */
  invariants: Float32Array;
}

/** The 2-D layout of a basis: Zernike "spectral raster" or SH "folded square". */
export function mapLayout(basis: "zernike" | "sh", order: number): MapLayout {
  return basis === "zernike" ? zernikeRasterLayout(order) : shFoldedLayout(order);
}

/** Row indices of one split (0 train, 1 test). */
export function splitRows(set: { split: Int32Array }, split: 0 | 1): number[] {
  const out: number[] = [];
  set.split.forEach((s, i) => s === split && out.push(i));
  return out;
}

/** Per-cell mean and std ([H·W]) of raw coefficients that standardise a map. */
export interface MapStats {
  mean: ArrayLike<number>;
  std: ArrayLike<number>;
}

/**
 * Transforms every cloud on the GPU and standardises the maps with train statistics, or with
 * `stats` when given (a trained model's, so that new shapes are read as it was trained).
 */
export async function buildMapSet(
  gpu: Gpu,
  shapes: ShapeSet,
  o: MapSetOptions,
  onProgress?: (done: number, total: number) => void,
  stats?: MapStats,
): Promise<MapSet> {
  const n = shapes.split.length;
  const M = shapes.meta.points;
  const clouds = Array.from(
    { length: n },
    (_, i) => shapes.points.subarray(i * M * 3, (i + 1) * M * 3),
  );
  const coefficients = o.basis === "zernike"
    ? await zernikeMomentsBatch(
      gpu,
      clouds.map((c) => ({ points: Float64Array.from(c) })),
      o.order,
      { onProgress },
    )
    : await shFromPointsBatch(gpu, clouds, o.order, { onProgress });
  const layout = mapLayout(o.basis, o.order);
  const { values, valid, mean, std } = standardize(
    coefficients,
    shapes.split,
    layout,
    o.clip,
    stats,
  );
  const inv = coefficients.map((c) =>
    o.basis === "zernike" ? zernikeInvariants(c, o.order) : shInvariants(c, o.order)
  );
  const K = inv[0]?.length ?? 0;
  const invariants = new Float32Array(n * K);
  inv.forEach((v, i) => invariants.set(v, i * K));
  return {
    meta: {
      ...shapes.meta,
      basis: o.basis,
      order: o.order,
      height: layout.height,
      width: layout.width,
      clip: o.clip,
    },
    values,
    valid,
    mean,
    std,
    labels: shapes.labels,
    split: shapes.split,
    invariants,
  };
}

/**
 * Per-cell standardisation of coefficient vectors laid out by `layout`: with the train rows'
 * statistics, or with `given` ones.
 */
function standardize(
  coefficients: readonly ArrayLike<number>[],
  split: Int32Array,
  layout: MapLayout,
  clip: number,
  given?: MapStats,
): { values: Float32Array; valid: Float32Array; mean: Float32Array; std: Float32Array } {
  const cells = layout.height * layout.width;
  const valid = new Float32Array(cells);
  for (let c = 0; c < layout.count; c++) valid[layout.cellOf[c]] = 1;
  if (given !== undefined && (given.mean.length !== cells || given.std.length !== cells)) {
    throw new RangeError(
      `Cannot standardise ${layout.height}×${layout.width} maps with statistics of ` +
        `${given.mean.length} cells`,
    );
  }
  const { mean, std } = given === undefined
    ? fitStats(coefficients, split, layout)
    : { mean: Float64Array.from(given.mean), std: Float64Array.from(given.std) };
  const n = coefficients.length;
  const floor = 1e-6 * Math.max(...std);
  const values = new Float32Array(n * cells);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < layout.count; c++) {
      const k = layout.cellOf[c];
      const z = (coefficients[i][c] - mean[k]) / Math.max(std[k], floor);
      values[i * cells + k] = Math.max(-clip, Math.min(clip, z));
    }
  }
  return { values, valid, mean: Float32Array.from(mean), std: Float32Array.from(std) };
}

/** Per-cell mean and std of the train rows' coefficients. */
function fitStats(
  coefficients: readonly ArrayLike<number>[],
  split: Int32Array,
  layout: MapLayout,
): { mean: Float64Array; std: Float64Array } {
  const n = coefficients.length;
  const cells = layout.height * layout.width;
  const mean = new Float64Array(cells);
  const sq = new Float64Array(cells);
  let trainCount = 0;
  for (let i = 0; i < n; i++) {
    if (split[i] !== 0) continue;
    trainCount++;
    for (let c = 0; c < layout.count; c++) {
      const v = coefficients[i][c];
      mean[layout.cellOf[c]] += v;
      sq[layout.cellOf[c]] += v * v;
    }
  }
  if (trainCount === 0) throw new Error("Cannot standardise the maps: the train split is empty");
  const std = new Float64Array(cells);
  for (let k = 0; k < cells; k++) {
    mean[k] /= trainCount;
    std[k] = Math.sqrt(Math.max(0, sq[k] / trainCount - mean[k] * mean[k]));
  }
  return { mean, std };
}
