/**
 * `spectral.maps@1`: Zernike moments (surface density) or SH coefficients (cap-max extent) of
 * every cloud, laid out as 2-D maps, standardised per cell with statistics of the train split
 * (σ floored at 1e-6 · max σ, values clipped to ±clip), plus the raw rotation invariants.
 * @module
 */
import type { spectralMaps, StageParams } from "../../pipelines/mod.ts";
import {
  shFoldedLayout,
  shFromPointsBatch,
  shInvariants,
  zernikeInvariants,
  zernikeMomentsBatch,
  zernikeRasterLayout,
} from "../spectral/mod.ts";
import { f32, i32, pack, type Packed, unpack } from "./artifacts.ts";
import type { ShapeSetMeta } from "./modelnet.ts";
import { paramsOf, type StageImpl } from "./types.ts";

/** Metadata of a map set. */
export interface MapSetMeta extends ShapeSetMeta {
  basis: "zernike" | "sh";
  order: number;
  height: number;
  width: number;
  clip: number;
}

/** A decoded map set. */
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

/** Reads a map-set artifact. */
export function readMapSet(bytes: Uint8Array): MapSet {
  const p: Packed<MapSetMeta> = unpack(bytes);
  return {
    meta: p.meta,
    values: f32(p, "values"),
    valid: f32(p, "valid"),
    mean: f32(p, "mean"),
    std: f32(p, "std"),
    labels: i32(p, "labels"),
    split: i32(p, "split"),
    invariants: f32(p, "invariants"),
  };
}

/** Row indices of one split. */
export function splitRows(set: { split: Int32Array }, split: 0 | 1): number[] {
  const out: number[] = [];
  set.split.forEach((s, i) => s === split && out.push(i));
  return out;
}

/** Computes the maps. */
export const run: StageImpl = async (ctx) => {
  const p = paramsOf<StageParams<typeof spectralMaps>>(ctx);
  const shapes = unpack<ShapeSetMeta>(await ctx.input("shapes"));
  const points = f32(shapes, "points");
  const split = i32(shapes, "split");
  const n = split.length;
  const M = shapes.meta.points;
  const clouds = Array.from({ length: n }, (_, i) => points.subarray(i * M * 3, (i + 1) * M * 3));
  const gpu = await ctx.gpu();
  const onProgress = (done: number, total: number) => ctx.progress({ unit: "shapes", done, total });
  const coefficients = p.basis === "zernike"
    ? await zernikeMomentsBatch(
      gpu,
      clouds.map((c) => ({ points: Float64Array.from(c) })),
      p.order,
      { onProgress },
    )
    : await shFromPointsBatch(gpu, clouds, p.order, { onProgress });
  const layout = p.basis === "zernike" ? zernikeRasterLayout(p.order) : shFoldedLayout(p.order);
  const cells = layout.height * layout.width;
  const valid = new Float32Array(cells);
  for (let c = 0; c < layout.count; c++) valid[layout.cellOf[c]] = 1;
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
  const floor = 1e-6 * Math.max(...std);
  const values = new Float32Array(n * cells);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < layout.count; c++) {
      const k = layout.cellOf[c];
      const z = (coefficients[i][c] - mean[k]) / Math.max(std[k], floor);
      values[i * cells + k] = Math.max(-p.clip, Math.min(p.clip, z));
    }
  }
  const inv = coefficients.map((c) =>
    p.basis === "zernike" ? zernikeInvariants(c, p.order) : shInvariants(c, p.order)
  );
  const K = inv[0]?.length ?? 0;
  const invariants = new Float32Array(n * K);
  inv.forEach((v, i) => invariants.set(v, i * K));
  const meta: MapSetMeta = {
    ...shapes.meta,
    basis: p.basis,
    order: p.order,
    height: layout.height,
    width: layout.width,
    clip: p.clip,
  };
  return {
    maps: pack(
      meta,
      {
        values,
        valid,
        mean: Float32Array.from(mean),
        std: Float32Array.from(std),
        labels: i32(shapes, "labels"),
        split,
        invariants,
      },
      {
        values: [n, layout.height, layout.width],
        valid: [layout.height, layout.width],
        invariants: [n, K],
      },
    ),
  };
};
