/**
 * The end-to-end spectral pipeline for a batch of shapes: normalise and sample, transform
 * (Zernike moments of the surface density or of the voxelised solid, or SH of the extent
 * function), invariants, 2-D map, inverse transform to a shape, and IoU/Chamfer metrics
 * against the input. Transforms run batched on the GPU when one is given, otherwise on the
 * float64 CPU reference.
 */
import type { Gpu } from "../gpu/mod.ts";
import { oversampledBandwidth, shForward, shInverse } from "./dh.ts";
import { defaultCapAngle, extentFromMesh, extentFromPoints } from "./extent.ts";
import {
  shEvaluateBatch,
  shFromGridsBatch,
  shFromPointsBatch,
  zernikeDensityBatch,
  zernikeMomentsBatch,
} from "./gpu/batch.ts";
import { checkOrder } from "./indexing.ts";
import { shInvariants, zernikeInvariants } from "./invariants.ts";
import { type CoefficientMap, shFoldedLayout, toMap, zernikeRasterLayout } from "./layout.ts";
import { chamferDistance } from "./metrics.ts";
import {
  applyNormalization,
  type Normalization,
  pointNormalization,
  shapeNormalization,
  solidNormalization,
} from "./normalize.ts";
import {
  boundaryVoxels,
  extentMesh,
  extentPoints,
  spectralError,
  surfaceDirections,
  topVoxels,
} from "./reconstruct.ts";
import { resamplePoints, sampleSurface } from "./sample.ts";
import { isPointList, type Shape } from "./shape.ts";
import {
  ballVoxels,
  occupiedIndices,
  voxelCenters,
  type VoxelGrid,
  voxelIou,
  voxelizeMesh,
  voxelizePoints,
} from "./voxel.ts";
import { zernikeDensity, zernikeMoments } from "./zernike.ts";

/** Which basis to expand in. */
export type Basis = "zernike" | "sh";

/** Pipeline options. */
export interface SpectralOptions {
  basis: Basis;
  /** Zernike order N or SH degree L. */
  order: number;
  /** Surface samples of a mesh (default 2048); a point list is resampled only when set. */
  points?: number;
  /** Zernike moments of the voxelised solid instead of the surface density (meshes only). */
  solid?: boolean;
  /** Voxel grid side G for the solid, the reconstruction and the IoU (default 64). */
  grid?: number;
  /** Seed of every random choice (default 0). */
  seed?: number;
  /** Cap half-angle of the point-cloud extent estimate (default 0.6·√(4π/M)). */
  capAngle?: number;
  /** Called after every GPU batch with shapes done and total. */
  onProgress?: (done: number, total: number) => void;
}

/** A shape made ready for the transforms. */
export interface PreparedShape {
  name: string;
  normalization: Normalization;
  /** Weighted points whose moments are taken (surface samples, or solid voxel centres). */
  points: Float64Array;
  weights?: Float64Array;
  /** Exact extent function on the DH grid (SH of a mesh). */
  extent?: Float64Array;
  /** Input voxelisation on the G³ grid (surface shell, or solid occupancy). */
  voxels: VoxelGrid;
  /** Up to 4000 input surface points (Chamfer distance and rendering). */
  surface: Float64Array;
}

/** Everything computed for one shape. */
export interface SpectralResult {
  name: string;
  basis: Basis;
  order: number;
  coefficients: Float64Array;
  invariants: Float64Array;
  map: CoefficientMap;
  /** Reconstructed shape as points (and triangles for SH). */
  reconstruction: Shape;
  input: PreparedShape;
  metrics: SpectralMetrics;
}

/** Comparison of input and reconstruction. */
export interface SpectralMetrics {
  voxelIou: number;
  chamfer: number;
  chamferVariant: string;
  grid: number;
  inputVoxels: number;
  reconstructionVoxels: number;
  reconstructionPoints: number;
  /** √(1 − Σ Ω²/V) for solid Zernike moments. */
  spectralError?: number;
}

const SURFACE_POINTS = 4000;

/** Normalises and samples one shape for the chosen transform. */
export function prepareShape(name: string, shape: Shape, opts: SpectralOptions): PreparedShape {
  const grid = opts.grid ?? 64;
  const seed = opts.seed ?? 0;
  if (isPointList(shape)) {
    if (opts.solid) {
      throw new RangeError(`Cannot voxelise ${name} as a solid: it is a point list, not a mesh`);
    }
    const given = opts.points === undefined
      ? shape.vertices
      : resamplePoints(shape.vertices, opts.points, seed);
    const normalization = pointNormalization(given);
    const points = applyNormalization(given, normalization);
    const surface = points.length / 3 > SURFACE_POINTS
      ? resamplePoints(points, SURFACE_POINTS, seed + 1)
      : points;
    return { name, normalization, points, voxels: voxelizePoints(points, grid), surface };
  }
  const normalization = opts.solid ? solidNormalization(shape) : shapeNormalization(shape);
  const mesh = {
    vertices: applyNormalization(shape.vertices, normalization),
    triangles: shape.triangles,
  };
  const surface = sampleSurface(mesh, SURFACE_POINTS, seed + 1);
  if (opts.solid) {
    const voxels = voxelizeMesh(mesh, grid);
    const points = voxelCenters(occupiedIndices(voxels), grid);
    const weights = new Float64Array(points.length / 3).fill((2 / grid) ** 3);
    if (weights.length === 0) {
      throw new RangeError(`Cannot voxelise ${name}: no voxel centre lies inside the mesh`);
    }
    return { name, normalization, points, weights, voxels, surface };
  }
  const points = sampleSurface(mesh, opts.points ?? 2048, seed);
  const voxels = voxelizePoints(sampleSurface(mesh, 40 * grid * grid, seed + 2), grid);
  const extent = opts.basis === "sh"
    ? extentFromMesh(mesh, oversampledBandwidth(opts.order))
    : undefined;
  return { name, normalization, points, voxels, surface, extent };
}

/** Forward transforms of prepared shapes (GPU batches when `gpu` is given). */
export async function computeCoefficients(
  shapes: readonly PreparedShape[],
  opts: SpectralOptions,
  gpu: Gpu | null,
): Promise<Float64Array[]> {
  checkOrder(opts.order, opts.basis === "sh" ? "spherical-harmonic degree" : "Zernike order");
  const progress = opts.onProgress;
  if (opts.basis === "zernike") {
    if (gpu) return await zernikeMomentsBatch(gpu, shapes, opts.order, { onProgress: progress });
    return shapes.map((s, i) => {
      const out = zernikeMoments(s.points, opts.order, s.weights);
      progress?.(i + 1, shapes.length);
      return out;
    });
  }
  const b = oversampledBandwidth(opts.order);
  const out: Float64Array[] = new Array(shapes.length);
  const withGrid = shapes.map((s, i) => [s, i] as const).filter(([s]) => s.extent);
  const withPoints = shapes.map((s, i) => [s, i] as const).filter(([s]) => !s.extent);
  const cap = (s: PreparedShape) => opts.capAngle ?? defaultCapAngle(s.points.length / 3);
  if (gpu) {
    let base = 0;
    const part = () => {
      const offset = base;
      return { onProgress: (done: number) => progress?.(offset + done, shapes.length) };
    };
    const fromGrids = await shFromGridsBatch(
      gpu,
      withGrid.map(([s]) => s.extent!),
      b,
      opts.order,
      part(),
    );
    withGrid.forEach(([, i], k) => (out[i] = fromGrids[k]));
    base += withGrid.length;
    const groups = new Map<number, (readonly [PreparedShape, number])[]>();
    for (const entry of withPoints) {
      groups.set(cap(entry[0]), [...(groups.get(cap(entry[0])) ?? []), entry]);
    }
    for (const [angle, group] of groups) {
      const fromPoints = await shFromPointsBatch(gpu, group.map(([s]) => s.points), opts.order, {
        ...part(),
        capAngle: angle,
        bandwidth: b,
      });
      group.forEach(([, i], k) => (out[i] = fromPoints[k]));
      base += group.length;
    }
    return out;
  }
  shapes.forEach((s, i) => {
    out[i] = shForward(s.extent ?? extentFromPoints(s.points, b, cap(s)), b, opts.order);
    progress?.(i + 1, shapes.length);
  });
  return out;
}

/** Inverse transforms, maps, invariants and metrics for shapes with their coefficients. */
export async function finishShapes(
  shapes: readonly PreparedShape[],
  coefficients: readonly Float64Array[],
  opts: SpectralOptions,
  gpu: Gpu | null,
): Promise<SpectralResult[]> {
  const grid = opts.grid ?? 64;
  const order = opts.order;
  let reconstructions: { shape: Shape; voxels: VoxelGrid }[];
  if (opts.basis === "zernike") {
    const ball = ballVoxels(grid);
    const queries = voxelCenters(ball, grid);
    const dens = gpu
      ? await zernikeDensityBatch(gpu, coefficients, order, queries)
      : coefficients.map((c) => zernikeDensity(c, order, queries));
    reconstructions = shapes.map((s, i) => {
      const k = occupiedIndices(s.voxels).length;
      const voxels = topVoxels(ball, dens[i], k, grid);
      const shown = opts.solid ? boundaryVoxels(voxels) : voxels;
      return {
        shape: {
          vertices: voxelCenters(occupiedIndices(shown), grid),
          triangles: new Uint32Array(0),
        },
        voxels,
      };
    });
  } else {
    const bandwidth = 48;
    const dirs = surfaceDirections(bandwidth);
    const values = gpu
      ? await shEvaluateBatch(gpu, coefficients, order, dirs)
      : coefficients.map((c) => shInverse(c, order, dirs));
    reconstructions = values.map((v) => {
      const mesh = extentMesh(v, dirs, bandwidth);
      const dense = mesh.triangles.length > 0
        ? sampleSurface(mesh, 40 * grid * grid, (opts.seed ?? 0) + 3)
        : extentPoints(v, dirs);
      return { shape: mesh, voxels: voxelizePoints(dense, grid) };
    });
  }
  return shapes.map((s, i) => {
    const coef = coefficients[i];
    const rec = reconstructions[i];
    const recPoints = rec.shape.vertices;
    const metrics: SpectralMetrics = {
      voxelIou: voxelIou(rec.voxels, s.voxels),
      chamfer: recPoints.length ? chamferDistance(s.surface, recPoints) : NaN,
      chamferVariant:
        "symmetric, Euclidean (not squared), mean over both directions, unit-ball units",
      grid,
      inputVoxels: occupiedIndices(s.voxels).length,
      reconstructionVoxels: occupiedIndices(rec.voxels).length,
      reconstructionPoints: recPoints.length / 3,
    };
    if (opts.basis === "zernike" && opts.solid) {
      metrics.spectralError = spectralError(coef, metrics.inputVoxels * (2 / grid) ** 3);
    }
    return {
      name: s.name,
      basis: opts.basis,
      order,
      coefficients: coef,
      invariants: opts.basis === "zernike"
        ? zernikeInvariants(coef, order)
        : shInvariants(coef, order),
      map: toMap(
        coef,
        opts.basis === "zernike" ? zernikeRasterLayout(order) : shFoldedLayout(order),
      ),
      reconstruction: rec.shape,
      input: s,
      metrics,
    };
  });
}

/** Runs the whole pipeline on named shapes. */
export async function analyzeShapes(
  shapes: readonly { name: string; shape: Shape }[],
  opts: SpectralOptions,
  gpu: Gpu | null,
): Promise<SpectralResult[]> {
  const prepared = shapes.map(({ name, shape }) => prepareShape(name, shape, opts));
  const coefficients = await computeCoefficients(prepared, opts, gpu);
  return finishShapes(prepared, coefficients, opts, gpu);
}
