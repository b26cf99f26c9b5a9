/**
 * 3-D reconstructions of standardised maps for the report: a map is de-standardised with the
 * train statistics, read back into coefficients, and inverted (Zernike: the densest voxels of
 * the expansion on a voxel grid; SH: the extent surface f(u)·u), then drawn as points in three
 * views, one row per map.
 * @module
 */
import { encodePng } from "../lib/mod.ts";
import {
  ballVoxels,
  blankImage,
  boundaryVoxels,
  drawPoints,
  fromMap,
  mapLayout,
  type MapSet,
  occupiedIndices,
  shSurfacePoints,
  topVoxels,
  type View,
  voxelCenters,
  zernikeDensity,
} from "../spectral/mod.ts";

/** Voxel grid side of Zernike reconstructions. */
const GRID = 32;
/** Share of the ball's voxels kept as the solid of a Zernike reconstruction. */
const SOLID_SHARE = 0.06;
const VIEWS: View[] = [[0, 2, 1, -1], [1, 2, 0, 1], [0, 1, 2, 1]];
const COLORS: [number, number, number][] = [[40, 90, 220], [150, 150, 150], [235, 120, 30]];

/** Points (in the unit ball) of the shape a standardised map ([H·W]) describes. */
export function mapPoints(set: Pick<MapSet, "meta" | "mean" | "std">, map: Float32Array) {
  const { basis, order } = set.meta;
  const layout = mapLayout(basis, order);
  const raw = Float64Array.from(map, (v, k) => v * set.std[k] + set.mean[k]);
  const coefficients = fromMap(raw, layout);
  if (basis === "sh") return shSurfacePoints(coefficients, order, 24);
  const ball = ballVoxels(GRID);
  const density = zernikeDensity(coefficients, order, voxelCenters(ball, GRID));
  const solid = topVoxels(ball, density, Math.round(SOLID_SHARE * ball.length), GRID);
  return voxelCenters(occupiedIndices(boundaryVoxels(solid)), GRID);
}

/**
 * PNG of point sets, one row each (front, side, top views); the first row is blue, the second
 * grey, the others orange.
 */
export function renderRows(rows: readonly Float64Array[], tile = 120): Uint8Array {
  const gap = 4;
  const img = blankImage(3 * tile + 4 * gap, rows.length * (tile + gap) + gap);
  rows.forEach((points, r) => {
    VIEWS.forEach((view, v) => {
      drawPoints(
        img,
        points,
        view,
        gap + v * (tile + gap),
        gap + r * (tile + gap),
        tile,
        COLORS[Math.min(r, 2)],
      );
    });
  });
  return encodePng(img);
}
