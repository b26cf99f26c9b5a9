/**
 * Voxel grids on the cube [−1, 1]³ (SPECTRAL.md §4.3): G³ cells of side h = 2/G with centres
 * −1 + h(i + ½); the flat index is (k·G + j)·G + i with i along x, j along y, k along z.
 */
import { zernikeMoments } from "./zernike.ts";
import type { Shape } from "./shape.ts";

/** An occupancy grid. */
export interface VoxelGrid {
  size: number;
  occupancy: Uint8Array;
}

/** An empty grid of side `size` (2 ≤ G ≤ 512). */
export function emptyGrid(size: number): VoxelGrid {
  if (!Number.isInteger(size) || size < 2 || size > 512) {
    throw new RangeError(`Cannot make a voxel grid of side ${size}: expected 2..512`);
  }
  return { size, occupancy: new Uint8Array(size * size * size) };
}

/** Centre coordinate of voxel index i along one axis. */
export function voxelCoordinate(i: number, size: number): number {
  return -1 + (2 / size) * (i + 0.5);
}

/** Centres (xyz interleaved) of the given flat voxel indices. */
export function voxelCenters(indices: ArrayLike<number>, size: number): Float64Array {
  const out = new Float64Array(3 * indices.length);
  for (let q = 0; q < indices.length; q++) {
    const c = indices[q];
    out[3 * q] = voxelCoordinate(c % size, size);
    out[3 * q + 1] = voxelCoordinate(Math.floor(c / size) % size, size);
    out[3 * q + 2] = voxelCoordinate(Math.floor(c / (size * size)), size);
  }
  return out;
}

/** Flat indices of the voxels whose centres lie in the closed unit ball. */
export function ballVoxels(size: number): Uint32Array {
  const out: number[] = [];
  for (let k = 0; k < size; k++) {
    const z = voxelCoordinate(k, size);
    for (let j = 0; j < size; j++) {
      const y = voxelCoordinate(j, size);
      for (let i = 0; i < size; i++) {
        const x = voxelCoordinate(i, size);
        if (x * x + y * y + z * z <= 1) out.push((k * size + j) * size + i);
      }
    }
  }
  return Uint32Array.from(out);
}

/** Flat indices of occupied voxels. */
export function occupiedIndices(grid: VoxelGrid): Uint32Array {
  let count = 0;
  for (const o of grid.occupancy) count += o;
  const out = new Uint32Array(count);
  let q = 0;
  for (let c = 0; c < grid.occupancy.length; c++) if (grid.occupancy[c]) out[q++] = c;
  return out;
}

/** Grid whose voxels are occupied where `inside(x, y, z)` holds at the centre. */
export function voxelizeFunction(
  size: number,
  inside: (x: number, y: number, z: number) => boolean,
): VoxelGrid {
  const grid = emptyGrid(size);
  for (let k = 0; k < size; k++) {
    for (let j = 0; j < size; j++) {
      for (let i = 0; i < size; i++) {
        const c = (k * size + j) * size + i;
        grid.occupancy[c] =
          inside(voxelCoordinate(i, size), voxelCoordinate(j, size), voxelCoordinate(k, size))
            ? 1
            : 0;
      }
    }
  }
  return grid;
}

/** Surface voxelisation: every voxel that contains at least one point (points outside the cube are dropped). */
export function voxelizePoints(points: ArrayLike<number>, size: number): VoxelGrid {
  const grid = emptyGrid(size);
  for (let p = 0; p < points.length; p += 3) {
    const i = Math.floor(((points[p] + 1) * size) / 2);
    const j = Math.floor(((points[p + 1] + 1) * size) / 2);
    const k = Math.floor(((points[p + 2] + 1) * size) / 2);
    if (i < 0 || j < 0 || k < 0 || i >= size || j >= size || k >= size) continue;
    grid.occupancy[(k * size + j) * size + i] = 1;
  }
  return grid;
}

/**
 * Solid voxelisation of a (normalised, closed) triangle mesh by ray parity along z through
 * every column of voxel centres. Columns with an odd number of crossings (open meshes) drop
 * the last crossing.
 */
export function voxelizeMesh(shape: Shape, size: number): VoxelGrid {
  const grid = emptyGrid(size);
  const v = shape.vertices;
  const t = shape.triangles;
  const h = 2 / size;
  const crossings: number[][] = Array.from({ length: size * size }, () => []);
  // Tiny irrational offsets keep column centres off shared edges and vertices.
  const ox = 1.2345e-9 * Math.PI;
  const oy = 2.3456e-9 * Math.E;
  for (let f = 0; f < t.length; f += 3) {
    const a = 3 * t[f], b = 3 * t[f + 1], c = 3 * t[f + 2];
    const ax = v[a], ay = v[a + 1], bx = v[b], by = v[b + 1], cx = v[c], cy = v[c + 1];
    const det = (bx - ax) * (cy - ay) - (cx - ax) * (by - ay);
    if (det === 0) continue;
    const i0 = Math.max(0, Math.ceil((Math.min(ax, bx, cx) + 1) / h - 0.5));
    const i1 = Math.min(size - 1, Math.floor((Math.max(ax, bx, cx) + 1) / h - 0.5));
    const j0 = Math.max(0, Math.ceil((Math.min(ay, by, cy) + 1) / h - 0.5));
    const j1 = Math.min(size - 1, Math.floor((Math.max(ay, by, cy) + 1) / h - 0.5));
    for (let j = j0; j <= j1; j++) {
      const py = voxelCoordinate(j, size) + oy;
      for (let i = i0; i <= i1; i++) {
        const px = voxelCoordinate(i, size) + ox;
        const u = ((px - ax) * (cy - ay) - (cx - ax) * (py - ay)) / det;
        const w = ((bx - ax) * (py - ay) - (px - ax) * (by - ay)) / det;
        if (u < 0 || w < 0 || u + w > 1) continue;
        crossings[j * size + i].push(
          v[a + 2] + u * (v[b + 2] - v[a + 2]) + w * (v[c + 2] - v[a + 2]),
        );
      }
    }
  }
  for (let col = 0; col < crossings.length; col++) {
    const zs = crossings[col].sort((p, q) => p - q);
    for (let e = 0; e + 1 < zs.length; e += 2) {
      const k0 = Math.max(0, Math.ceil((zs[e] + 1) / h - 0.5));
      const k1 = Math.min(size - 1, Math.floor((zs[e + 1] + 1) / h - 0.5));
      for (let k = k0; k <= k1; k++) grid.occupancy[k * size * size + col] = 1;
    }
  }
  return grid;
}

/** Zernike moments of a voxelised solid by the midpoint rule: Ω ≈ h³ Σ_occupied Z(x_c). */
export function solidMoments(grid: VoxelGrid, order: number): Float64Array {
  const centers = voxelCenters(occupiedIndices(grid), grid.size);
  const h3 = (2 / grid.size) ** 3;
  return zernikeMoments(centers, order, new Float64Array(centers.length / 3).fill(h3));
}

/** Intersection over union of two grids of the same size (1 when both are empty). */
export function voxelIou(a: VoxelGrid, b: VoxelGrid): number {
  if (a.size !== b.size) {
    throw new RangeError(`Cannot compare grids of side ${a.size} and ${b.size}`);
  }
  let inter = 0;
  let union = 0;
  for (let c = 0; c < a.occupancy.length; c++) {
    inter += a.occupancy[c] & b.occupancy[c];
    union += a.occupancy[c] | b.occupancy[c];
  }
  return union === 0 ? 1 : inter / union;
}
