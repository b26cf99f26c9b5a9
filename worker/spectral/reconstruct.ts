/**
 * Inverse transforms to shapes (SPECTRAL.md §5.1): a Zernike expansion evaluated at voxel
 * centres is turned into a solid by keeping the K voxels of largest density (volume
 * preserving, robust at low order) or by an iso level; an SH expansion of the extent function
 * is turned into surface points f(u)·u.
 */
import { dhGrid, gridDirections, shInverse } from "./dh.ts";
import type { Shape } from "./shape.ts";
import { emptyGrid, type VoxelGrid } from "./voxel.ts";

/** The K voxels (of `indices`) with the largest `values`, as a grid. Ties keep the lower index. */
export function topVoxels(
  indices: ArrayLike<number>,
  values: ArrayLike<number>,
  k: number,
  size: number,
): VoxelGrid {
  const order = Array.from({ length: indices.length }, (_, i) => i);
  order.sort((a, b) => values[b] - values[a] || a - b);
  const grid = emptyGrid(size);
  const take = Math.max(0, Math.min(k, order.length));
  for (let i = 0; i < take; i++) grid.occupancy[indices[order[i]]] = 1;
  return grid;
}

/** The voxels (of `indices`) whose value is at least `level`. */
export function isoVoxels(
  indices: ArrayLike<number>,
  values: ArrayLike<number>,
  level: number,
  size: number,
): VoxelGrid {
  const grid = emptyGrid(size);
  for (let i = 0; i < indices.length; i++) if (values[i] >= level) grid.occupancy[indices[i]] = 1;
  return grid;
}

/** Occupied voxels with at least one empty (or out-of-grid) face neighbour. */
export function boundaryVoxels(grid: VoxelGrid): VoxelGrid {
  const g = grid.size;
  const out = emptyGrid(g);
  const occ = (i: number, j: number, k: number) =>
    i >= 0 && j >= 0 && k >= 0 && i < g && j < g && k < g &&
    grid.occupancy[(k * g + j) * g + i] === 1;
  for (let k = 0; k < g; k++) {
    for (let j = 0; j < g; j++) {
      for (let i = 0; i < g; i++) {
        if (!occ(i, j, k)) continue;
        if (
          !occ(i - 1, j, k) || !occ(i + 1, j, k) || !occ(i, j - 1, k) || !occ(i, j + 1, k) ||
          !occ(i, j, k - 1) || !occ(i, j, k + 1)
        ) {
          out.occupancy[(k * g + j) * g + i] = 1;
        }
      }
    }
  }
  return out;
}

/**
 * Extent values below this radius count as a miss when drawing an SH reconstruction: a miss is
 * 0 in the extent function, and truncation rings around it (normalised shapes reach 0.95).
 */
export const MIN_EXTENT = 0.1;

/** Unit directions of the DH grid used to draw an extent function as points. */
export function surfaceDirections(bandwidth = 48): Float64Array {
  return gridDirections(dhGrid(bandwidth));
}

/**
 * Surface points f(u)·u of an extent function given by its values at `directions`; directions
 * where the extent is below `minRadius` (ray misses, ringing around them) are dropped.
 */
export function extentPoints(
  values: ArrayLike<number>,
  directions: ArrayLike<number>,
  minRadius = MIN_EXTENT,
): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const f = values[i];
    if (f < minRadius) continue;
    out.push(f * directions[3 * i], f * directions[3 * i + 1], f * directions[3 * i + 2]);
  }
  return Float64Array.from(out);
}

/** CPU inverse SH to surface points: evaluates the expansion on a DH grid of directions. */
export function shSurfacePoints(
  coefficients: ArrayLike<number>,
  degree: number,
  bandwidth = 48,
): Float64Array {
  const dirs = surfaceDirections(bandwidth);
  return extentPoints(shInverse(coefficients, degree, dirs), dirs);
}

/**
 * Spectral L2 error e_N = √(1 − Σ Ω² / ‖f‖²) of a truncated expansion (Parseval/Bessel),
 * clamped at 0; for an indicator ‖f‖² is the volume.
 */
export function spectralError(coefficients: ArrayLike<number>, normSquared: number): number {
  let s = 0;
  for (let i = 0; i < coefficients.length; i++) s += coefficients[i] ** 2;
  return Math.sqrt(Math.max(0, 1 - s / normSquared));
}

/**
 * The star-shaped surface of an extent function sampled on a DH grid: vertex f(u)·u per
 * direction, two triangles per grid cell (wrapping in φ); cells touching a miss
 * (f < minRadius, see MIN_EXTENT) are left open and missed directions are dropped.
 */
export function extentMesh(
  values: ArrayLike<number>,
  directions: ArrayLike<number>,
  bandwidth: number,
  minRadius = MIN_EXTENT,
): Shape {
  const n = dhGrid(bandwidth).size;
  const index = new Int32Array(n * n).fill(-1);
  const vertices: number[] = [];
  for (let c = 0; c < n * n; c++) {
    if (values[c] < minRadius) continue;
    index[c] = vertices.length / 3;
    vertices.push(
      values[c] * directions[3 * c],
      values[c] * directions[3 * c + 1],
      values[c] * directions[3 * c + 2],
    );
  }
  const triangles: number[] = [];
  for (let j = 0; j + 1 < n; j++) {
    for (let k = 0; k < n; k++) {
      const a = index[j * n + k], b = index[(j + 1) * n + k];
      const c = index[(j + 1) * n + ((k + 1) % n)], d = index[j * n + ((k + 1) % n)];
      if (a >= 0 && b >= 0 && c >= 0 && d >= 0) triangles.push(a, b, c, a, c, d);
    }
  }
  return { vertices: Float64Array.from(vertices), triangles: Uint32Array.from(triangles) };
}
