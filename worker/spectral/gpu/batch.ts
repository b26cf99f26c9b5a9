/**
 * Batched GPU transforms on CPU arrays: shapes are processed in batches (64 by default); each
 * batch is uploaded once, recorded as one dispatch chain and read back once. A progress
 * callback is told after every batch.
 */
import type { Gpu, Tensor } from "../../gpu/mod.ts";
import { dhGrid, oversampledBandwidth } from "../dh.ts";
import { defaultCapAngle } from "../extent.ts";
import { shCount, zernikeCount } from "../indexing.ts";
import { uploadPoints, type WeightedPoints } from "./points.ts";
import {
  extentGpu,
  shEvaluateGpu,
  shForwardGpu,
  uploadProjection,
  zernikeDensityGpu,
  zernikeMomentsGpu,
} from "./transforms.ts";
import { checkInBall } from "../zernike.ts";

/** Options of the batched transforms. */
export interface BatchOptions {
  /** Shapes per dispatch chain (default 64). */
  batchSize?: number;
  /** Called after each batch with the number of shapes done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** Options of the SH transform of point clouds. */
export interface ShPointOptions extends BatchOptions {
  /** Cap half-angle δ of the cap-max extent estimate; default from the largest point count. */
  capAngle?: number;
  /** Grid bandwidth; default 2(L+1). */
  bandwidth?: number;
}

/** Zernike moments (surface density, or any weights) of many point sets, on the GPU. */
export function zernikeMomentsBatch(
  gpu: Gpu,
  sets: readonly WeightedPoints[],
  order: number,
  opts: BatchOptions = {},
): Promise<Float64Array[]> {
  for (const s of sets) checkInBall(s.points);
  return inBatches(sets, zernikeCount(order), opts, (part) => {
    const batch = uploadPoints(gpu, part);
    const out = zernikeMomentsGpu(gpu, batch, order);
    batch.tensor.dispose();
    return out;
  });
}

/** Real SH coefficients of the cap-max extent functions of many point clouds, on the GPU. */
export function shFromPointsBatch(
  gpu: Gpu,
  clouds: readonly ArrayLike<number>[],
  degree: number,
  opts: ShPointOptions = {},
): Promise<Float64Array[]> {
  const bandwidth = opts.bandwidth ?? oversampledBandwidth(degree);
  const maxPoints = clouds.reduce((m, c) => Math.max(m, c.length / 3), 0);
  const cap = opts.capAngle ?? defaultCapAngle(maxPoints);
  const projection = uploadProjection(gpu, bandwidth, degree);
  return inBatches(clouds, shCount(degree), opts, (part) => {
    const batch = uploadPoints(gpu, part.map((points) => ({ points })));
    const grids = extentGpu(gpu, batch, bandwidth, cap);
    const out = shForwardGpu(gpu, grids, projection);
    batch.tensor.dispose();
    grids.dispose();
    return out;
  }).finally(() => projection.tensor.dispose());
}

/** Real SH coefficients of extent functions already sampled on DH grids (ring-major), on the GPU. */
export function shFromGridsBatch(
  gpu: Gpu,
  grids: readonly ArrayLike<number>[],
  bandwidth: number,
  degree: number,
  opts: BatchOptions = {},
): Promise<Float64Array[]> {
  const n = dhGrid(bandwidth).size;
  const projection = uploadProjection(gpu, bandwidth, degree);
  return inBatches(grids, shCount(degree), opts, (part) => {
    const data = new Float32Array(part.length * n * n);
    part.forEach((g, i) => {
      if (g.length !== n * n) {
        throw new RangeError(`Cannot transform a grid of ${g.length} cells: expected ${n * n}`);
      }
      data.set(Array.from(g), i * n * n);
    });
    const t = gpu.tensor(data, [part.length, n, n]);
    const out = shForwardGpu(gpu, t, projection);
    t.dispose();
    return out;
  }).finally(() => projection.tensor.dispose());
}

/** Zernike densities f = Σ Ω Z of many coefficient vectors at shared query points, on the GPU. */
export function zernikeDensityBatch(
  gpu: Gpu,
  coefficients: readonly ArrayLike<number>[],
  order: number,
  queries: ArrayLike<number>,
  opts: BatchOptions = {},
): Promise<Float64Array[]> {
  return evaluateBatch(
    gpu,
    coefficients,
    zernikeCount(order),
    queries,
    opts,
    (c, q) => zernikeDensityGpu(gpu, c, q, order),
  );
}

/** SH expansions f = Σ c Y of many coefficient vectors at shared directions, on the GPU. */
export function shEvaluateBatch(
  gpu: Gpu,
  coefficients: readonly ArrayLike<number>[],
  degree: number,
  directions: ArrayLike<number>,
  opts: BatchOptions = {},
): Promise<Float64Array[]> {
  return evaluateBatch(
    gpu,
    coefficients,
    shCount(degree),
    directions,
    opts,
    (c, q) => shEvaluateGpu(gpu, c, q, degree),
  );
}

async function evaluateBatch(
  gpu: Gpu,
  coefficients: readonly ArrayLike<number>[],
  count: number,
  queries: ArrayLike<number>,
  opts: BatchOptions,
  kernel: (c: Tensor, q: Tensor) => Tensor,
): Promise<Float64Array[]> {
  const nq = queries.length / 3;
  const packed = new Float32Array(4 * nq);
  for (let i = 0; i < nq; i++) {
    packed.set([queries[3 * i], queries[3 * i + 1], queries[3 * i + 2]], 4 * i);
  }
  const q = gpu.tensor(packed, [nq, 4]);
  try {
    return await inBatches(coefficients, nq, opts, (part) => {
      const data = new Float32Array(part.length * count);
      part.forEach((c, i) => {
        if (c.length !== count) {
          throw new RangeError(`Cannot evaluate ${c.length} coefficients: expected ${count}`);
        }
        data.set(Array.from(c), i * count);
      });
      const t = gpu.tensor(data, [part.length, count]);
      const out = kernel(t, q);
      t.dispose();
      return out;
    });
  } finally {
    q.dispose();
  }
}

async function inBatches<T>(
  items: readonly T[],
  width: number,
  opts: BatchOptions,
  record: (part: T[]) => Tensor,
): Promise<Float64Array[]> {
  const size = opts.batchSize ?? 64;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`Cannot use batch size ${size}`);
  const out: Float64Array[] = [];
  for (let start = 0; start < items.length; start += size) {
    const part = items.slice(start, start + size);
    const t = record(part);
    let data: Float32Array;
    try {
      data = await t.read();
    } finally {
      t.dispose();
    }
    for (let i = 0; i < part.length; i++) {
      out.push(Float64Array.from(data.subarray(i * width, (i + 1) * width)));
    }
    opts.onProgress?.(out.length, items.length);
  }
  return out;
}
