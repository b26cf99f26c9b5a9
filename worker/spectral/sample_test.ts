import { assert, assertAlmostEquals, assertEquals, assertThrows } from "../../testing/assert.ts";
import {
  applyNormalization,
  NORMALIZED_RADIUS,
  pointNormalization,
  shapeNormalization,
  solidNormalization,
} from "./normalize.ts";
import { resamplePoints, sampleSurface, shapePoints, triangleAreas } from "./sample.ts";
import { cubeMesh, ellipsoidMesh, torusMesh } from "./synthetic.ts";
import { occupiedIndices, voxelizeMesh } from "./voxel.ts";

Deno.test("surface sampling is seeded and area-weighted", () => {
  // Two triangles: area 2 and area 0.5.
  const shape = {
    vertices: Float64Array.from([0, 0, 0, 2, 0, 0, 0, 2, 0, 5, 5, 5, 6, 5, 5, 5, 6, 5]),
    triangles: Uint32Array.from([0, 1, 2, 3, 4, 5]),
  };
  assertEquals(Array.from(triangleAreas(shape)), [2, 0.5]);
  const a = sampleSurface(shape, 20000, 3);
  assertEquals(
    Array.from(a.subarray(0, 30)),
    Array.from(sampleSurface(shape, 20000, 3).subarray(0, 30)),
  );
  let onBig = 0;
  for (let i = 0; i < a.length; i += 3) {
    if (a[i + 2] === 0) {
      onBig++;
      assert(a[i] >= 0 && a[i + 1] >= 0 && a[i] + a[i + 1] <= 2 + 1e-12, "inside the big triangle");
    }
  }
  assertAlmostEquals(onBig / 20000, 0.8, 0.015);
  assertThrows(
    () => sampleSurface({ vertices: new Float64Array(3), triangles: new Uint32Array(0) }, 5),
    RangeError,
    "no faces",
  );
});

Deno.test("normalisation: centroid to the origin, max radius 0.95", () => {
  const pts = Float64Array.from([1, 1, 1, 3, 1, 1, 1, 5, 1, 1, 1, 9]);
  const n = pointNormalization(pts);
  const out = applyNormalization(pts, n);
  let max = 0;
  const c = [0, 0, 0];
  for (let i = 0; i < out.length; i += 3) {
    max = Math.max(max, Math.hypot(out[i], out[i + 1], out[i + 2]));
    for (let d = 0; d < 3; d++) c[d] += out[i + d] / 4;
  }
  assertAlmostEquals(max, NORMALIZED_RADIUS, 1e-15);
  for (const v of c) assertAlmostEquals(v, 0, 1e-15);
  assertThrows(() => pointNormalization([1, 2, 3, 1, 2, 3]), RangeError, "coincide");
  const cube = cubeMesh(2);
  cube.vertices.forEach((_, i) => (cube.vertices[i] += i % 3 === 0 ? 7 : 0));
  const m = shapeNormalization(cube);
  assertAlmostEquals(m.center[0], 7, 1e-12);
  assertAlmostEquals(m.scale, NORMALIZED_RADIUS / (2 * Math.sqrt(3)), 1e-15);
  const samples = applyNormalization(sampleSurface(cube, 500, 1), m);
  for (let i = 0; i < samples.length; i += 3) {
    assert(
      Math.hypot(samples[i], samples[i + 1], samples[i + 2]) <= NORMALIZED_RADIUS + 1e-12,
      "samples stay inside",
    );
  }
  assertAlmostEquals(solidNormalization(cube).center[0], 7, 1e-12);
});

Deno.test("point lists are used as given unless a count is asked for", () => {
  const pts = Float64Array.from({ length: 30 }, (_, i) => i);
  const list = { vertices: pts, triangles: new Uint32Array(0) };
  assertEquals(Array.from(shapePoints(list)), Array.from(pts));
  const sub = resamplePoints(pts, 4, 2);
  assertEquals(sub.length, 12);
  assertEquals(new Set(Array.from({ length: 4 }, (_, i) => sub[3 * i])).size, 4);
  assertEquals(shapePoints(list, 25, 2).length, 75);
  assertEquals(shapePoints(torusMesh(0.5, 0.2)).length, 3 * 2048);
});

Deno.test("solid voxelisation by ray parity: cube count and ellipsoid volume", () => {
  const g = 20;
  const cube = voxelizeMesh(cubeMesh(0.5), g);
  assertEquals(occupiedIndices(cube).length, 10 * 10 * 10);
  const e = voxelizeMesh(ellipsoidMesh(0.8, 0.6, 0.5, 64, 32), 40);
  const vol = occupiedIndices(e).length * (2 / 40) ** 3;
  assertAlmostEquals(vol, (4 / 3) * Math.PI * 0.8 * 0.6 * 0.5, 0.03);
});
