import { assert, assertAlmostEquals, assertEquals } from "../../testing/assert.ts";
import { Rng } from "../lib/mod.ts";
import { dhGrid, gridDirections, shForward } from "./dh.ts";
import { shCount } from "./indexing.ts";
import { chamferDistance } from "./metrics.ts";
import {
  boundaryVoxels,
  extentMesh,
  isoVoxels,
  shSurfacePoints,
  spectralError,
  topVoxels,
} from "./reconstruct.ts";
import {
  ballVoxels,
  occupiedIndices,
  solidMoments,
  voxelCenters,
  voxelIou,
  voxelizeFunction,
} from "./voxel.ts";
import { zernikeDensity } from "./zernike.ts";

Deno.test("torus reconstruction improves from N = 4 to N = 20 (IoU, Chamfer, spectral error)", () => {
  const g = 32;
  // Torus R = 0.55, r = 0.2 scaled so that its max radius is 0.95.
  const s = 0.95 / 0.75;
  const inside = (x: number, y: number, z: number) =>
    (Math.hypot(x, y) - 0.55 * s) ** 2 + z * z <= (0.2 * s) ** 2;
  const solid = voxelizeFunction(g, inside);
  const volume = occupiedIndices(solid).length * (2 / g) ** 3;
  const ball = ballVoxels(g);
  const queries = voxelCenters(ball, g);
  const surface = voxelCenters(occupiedIndices(boundaryVoxels(solid)), g);
  const run = (order: number) => {
    const om = solidMoments(solid, order);
    const rec = topVoxels(
      ball,
      zernikeDensity(om, order, queries),
      occupiedIndices(solid).length,
      g,
    );
    return {
      iou: voxelIou(rec, solid),
      chamfer: chamferDistance(surface, voxelCenters(occupiedIndices(boundaryVoxels(rec)), g)),
      error: spectralError(om, volume),
    };
  };
  const low = run(4);
  const high = run(20);
  assert(high.iou > low.iou + 0.1, `IoU ${low.iou} → ${high.iou}`);
  assert(high.iou > 0.9, `IoU at N = 20 is ${high.iou}`);
  assert(high.chamfer < low.chamfer, `Chamfer ${low.chamfer} → ${high.chamfer}`);
  assert(high.error < low.error, `e_N ${low.error} → ${high.error}`);
});

Deno.test("top-k, iso level and boundary voxels", () => {
  const g = 4;
  const idx = [0, 1, 2, 3, 63];
  const val = [0.1, 0.9, 0.5, 0.9, 0.7];
  assertEquals(Array.from(occupiedIndices(topVoxels(idx, val, 3, g))), [1, 3, 63]);
  assertEquals(Array.from(occupiedIndices(isoVoxels(idx, val, 0.5, g))), [1, 2, 3, 63]);
  const cube = voxelizeFunction(
    6,
    (x, y, z) => Math.max(Math.abs(x), Math.abs(y), Math.abs(z)) < 0.6,
  );
  assertEquals(occupiedIndices(cube).length, 64);
  assertEquals(occupiedIndices(boundaryVoxels(cube)).length, 64 - 8);
});

Deno.test("SH reconstruction: constant extent gives a sphere surface and mesh", () => {
  const degree = 5;
  const coef = new Float64Array(shCount(degree));
  coef[0] = 0.7 * Math.sqrt(4 * Math.PI);
  const pts = shSurfacePoints(coef, degree, 8);
  assertEquals(pts.length, 3 * 256);
  for (let i = 0; i < pts.length; i += 3) {
    assertAlmostEquals(Math.hypot(pts[i], pts[i + 1], pts[i + 2]), 0.7, 1e-12);
  }
  const dirs = gridDirections(dhGrid(8));
  const values = new Float64Array(256).fill(0.7);
  values[5] = 0;
  const mesh = extentMesh(values, dirs, 8);
  assertEquals(mesh.vertices.length, 3 * 255);
  assertEquals(mesh.triangles.length, 3 * 2 * (15 * 16 - 2));
  const rng = new Rng(1);
  const random = Float64Array.from({ length: 256 }, () => rng.uniform(0.5, 0.9));
  const back = shSurfacePoints(shForward(random, 8, 7), 7, 8);
  assert(back.length > 0, "a positive extent gives points");
});
