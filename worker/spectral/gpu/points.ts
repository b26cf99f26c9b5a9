/**
 * Packing weighted point sets into one GPU tensor `[shapes, chunks · chunk, 4]` of
 * (x, y, z, w). Shorter sets are padded with zero-weight points at the origin, which add
 * nothing to any moment and are skipped by the extent kernel.
 */
import type { Gpu } from "../../gpu/mod.ts";
import type { PointBatch } from "./transforms.ts";

/** One weighted point set (xyz interleaved); weights default to 1/M. */
export interface WeightedPoints {
  points: ArrayLike<number>;
  weights?: ArrayLike<number>;
}

/** Invocations to aim for per kernel, so that every core has several workgroups. */
export const TARGET_THREADS = 512;

/** Chooses (chunks, chunk) for `shapes` sets of at most `maxPoints` points. */
export function chunking(shapes: number, maxPoints: number): { chunks: number; chunk: number } {
  const points = Math.max(1, maxPoints);
  const chunks = Math.max(1, Math.min(Math.ceil(TARGET_THREADS / shapes), Math.ceil(points / 64)));
  return { chunks, chunk: Math.ceil(points / chunks) };
}

/** Packs and uploads point sets; the caller owns the returned tensor. */
export function uploadPoints(gpu: Gpu, sets: readonly WeightedPoints[]): PointBatch {
  if (sets.length === 0) throw new RangeError("Cannot upload an empty batch of point sets");
  let maxPoints = 0;
  for (const s of sets) {
    const m = s.points.length / 3;
    if (!Number.isInteger(m)) {
      throw new RangeError(`Cannot upload ${s.points.length} coordinates: not 3·M`);
    }
    if (s.weights && s.weights.length !== m) {
      throw new RangeError(`Cannot upload ${m} points with ${s.weights.length} weights`);
    }
    maxPoints = Math.max(maxPoints, m);
  }
  const { chunks, chunk } = chunking(sets.length, maxPoints);
  const stride = chunks * chunk;
  const data = new Float32Array(sets.length * stride * 4);
  sets.forEach((s, si) => {
    const m = s.points.length / 3;
    for (let i = 0; i < m; i++) {
      const o = 4 * (si * stride + i);
      data[o] = s.points[3 * i];
      data[o + 1] = s.points[3 * i + 1];
      data[o + 2] = s.points[3 * i + 2];
      data[o + 3] = s.weights ? s.weights[i] : 1 / m;
    }
  });
  const tensor = gpu.tensor(data, [sets.length, stride, 4]);
  return { tensor, shapes: sets.length, chunks, chunk };
}
