/**
 * The spectral transforms on the GPU: this module's bases (orthonormal 3-D Zernike functions,
 * real SH without the Condon–Shortley phase, the Driscoll–Healy quadrature) handed to the WGSL
 * kernels of `gpu/kernels` as recurrence tables. Everything is recorded into the open command
 * encoder: no submit, no read.
 * @module
 */
import {
  type BasisRecurrences,
  extentCapMax,
  type PointBatch,
  type ProjectionTensor,
  shEvaluate,
  shForward,
  uploadProjection as uploadProjectionTable,
  zernikeDensity,
  zernikeMoments,
} from "../../gpu/kernels/mod.ts";
import type { Gpu, Tensor } from "../../gpu/mod.ts";
import { dhGrid, projectionTable } from "../dh.ts";
import { checkOrder, legendreIndex, radialIndex } from "../indexing.ts";
import { radialTable } from "../radial.ts";
import { legendreTable } from "../sh.ts";

export type { PointBatch, ProjectionTensor };

const recurrences = new Map<number, BasisRecurrences>();

/** This module's basis recurrences up to `order` (cached). */
export function basisRecurrences(order: number): BasisRecurrences {
  checkOrder(order, "order");
  const hit = recurrences.get(order);
  if (hit) return hit;
  const rad = radialTable(order);
  const leg = legendreTable(Math.max(order, 1));
  const rec: BasisRecurrences = {
    key: "zernike-sh-orthonormal",
    order,
    radial: (n, l) => {
      const i = radialIndex(n, l);
      return [rad.p[i], rad.q[i], rad.c[i]];
    },
    legendre: (l, m) => {
      const i = legendreIndex(l, m);
      return [leg.a[i], leg.b[i]];
    },
    sectoral: (m) => leg.sectoral[m],
  };
  recurrences.set(order, rec);
  return rec;
}

/**
 * Records the moments of every shape in `batch` up to `order`. Returns a new `[shapes, C]`
 * tensor (C = (N+1)(N+2)(N+3)/6, canonical order); the caller owns it.
 */
export function zernikeMomentsGpu(
  gpu: Gpu,
  batch: PointBatch,
  order: number,
  budget?: number,
): Tensor {
  checkOrder(order, "Zernike order");
  return zernikeMoments(gpu, batch, basisRecurrences(order), budget);
}

/**
 * Records f = Σ Ω Z at `queries` (`[Q, 4]`, xyz used) for every row of `coefficients`
 * (`[S, C(order)]`). Returns a new `[S, Q]` tensor.
 */
export function zernikeDensityGpu(
  gpu: Gpu,
  coefficients: Tensor,
  queries: Tensor,
  order: number,
): Tensor {
  checkOrder(order, "Zernike order");
  return zernikeDensity(gpu, coefficients, queries, basisRecurrences(order));
}

/**
 * Records f = Σ c Y at `directions` (`[D, 4]`, xyz used, need not be unit) for every row of
 * `coefficients` (`[S, (L+1)²]`). Returns a new `[S, D]` tensor.
 */
export function shEvaluateGpu(
  gpu: Gpu,
  coefficients: Tensor,
  directions: Tensor,
  degree: number,
): Tensor {
  checkOrder(degree, "spherical-harmonic degree");
  return shEvaluate(gpu, coefficients, directions, basisRecurrences(degree));
}

/**
 * Records the cap-max extent of every shape in `batch` on the bandwidth-B grid. Returns a new
 * `[shapes, 2B, 2B]` tensor (ring-major). Zero-weight (padding) points are skipped.
 */
export function extentGpu(
  gpu: Gpu,
  batch: PointBatch,
  bandwidth: number,
  capAngle: number,
): Tensor {
  return extentCapMax(gpu, batch, dhGrid(bandwidth).size, capAngle);
}

/**
 * Uploads the projection table for (bandwidth, degree); do this before recording, since an
 * upload submits the work recorded so far. The bandwidth must be even (the kernels take rings
 * four at a time). The caller owns (and disposes) the tensor.
 */
export function uploadProjection(gpu: Gpu, bandwidth: number, degree: number): ProjectionTensor {
  checkOrder(degree, "spherical-harmonic degree");
  const n = dhGrid(bandwidth).size;
  if (degree >= n) {
    throw new RangeError(`Cannot resolve degree ${degree} on a bandwidth-${bandwidth} grid`);
  }
  if (bandwidth % 2 !== 0) {
    throw new RangeError(`Cannot use bandwidth ${bandwidth} on the GPU: it must be even`);
  }
  return uploadProjectionTable(gpu, projectionTable(bandwidth, degree), n, degree);
}

/**
 * Records the forward SH transform of `[shapes, 2B, 2B]` extent grids up to the table's
 * degree. Returns a new `[shapes, (L+1)²]` tensor in flat SH order.
 */
export function shForwardGpu(gpu: Gpu, grids: Tensor, projection: ProjectionTensor): Tensor {
  return shForward(gpu, grids, projection);
}
