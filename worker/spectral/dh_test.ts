import { assert, assertAlmostEquals } from "../../testing/assert.ts";
import { Rng } from "../lib/mod.ts";
import { shCount } from "./indexing.ts";
import { dhGrid, gridDirections, oversampledBandwidth, shForward, shInverse } from "./dh.ts";
import { extentFromMesh, extentFromPoints } from "./extent.ts";
import { shInvariants } from "./invariants.ts";
import { cubeMesh, spherePoints } from "./synthetic.ts";
import { randomRotation, transformPoints } from "./_testing.ts";

Deno.test("DH weights: Σw = 2, Σ w P_l(cos θ) = 0 for 0 < l < 2B, known values", () => {
  for (const b of [2, 8, 16, 32]) {
    const g = dhGrid(b);
    for (let l = 0; l < 2 * b; l++) {
      let s = 0;
      for (let j = 0; j < g.size; j++) s += g.weights[j] * legendreP(l, g.cosTheta[j]);
      assertAlmostEquals(s, l === 0 ? 2 : 0, 1e-13, `B=${b} l=${l}`);
    }
  }
  const w2 = dhGrid(2).weights;
  [0.26429774, 0.73570226, 0.73570226, 0.26429774].forEach((v, i) =>
    assertAlmostEquals(w2[i], v, 1e-8)
  );
  const w16 = dhGrid(16).weights;
  [0.0042042562, 0.0147483281, 0.0236297784, 0.033237126].forEach((v, i) =>
    assertAlmostEquals(w16[i], v, 1e-10)
  );
});

Deno.test("SH round trip of band-limited functions on the oversampled grid", () => {
  const degree = 7;
  const b = oversampledBandwidth(degree);
  const rng = new Rng(4);
  const coef = Float64Array.from({ length: shCount(degree) }, () => rng.normal());
  const dirs = gridDirections(dhGrid(b));
  const back = shForward(shInverse(coef, degree, dirs), b, degree);
  for (let c = 0; c < coef.length; c++) assertAlmostEquals(back[c], coef[c], 1e-12, `c=${c}`);
  // A degree-19 function is still resolved exactly for l ≤ 7 since 19 + 7 < 2B = 32.
  const high = Float64Array.from({ length: shCount(19) }, () => rng.normal());
  const lowPart = shForward(shInverse(high, 19, dirs), b, degree);
  for (let c = 0; c < lowPart.length; c++) {
    assertAlmostEquals(lowPart[c], high[c], 1e-12, `alias c=${c}`);
  }
});

Deno.test("extent of a dense sphere point cloud is its radius; its SH is a constant", () => {
  const degree = 7;
  const b = oversampledBandwidth(degree);
  const pts = spherePoints(20000, 0.8, 1);
  const ext = extentFromPoints(pts, b, 0.2);
  for (const v of ext) assertAlmostEquals(v, 0.8, 1e-12);
  const c = shForward(ext, b, degree);
  assertAlmostEquals(c[0], 0.8 * Math.sqrt(4 * Math.PI), 1e-12);
  for (let i = 1; i < c.length; i++) assertAlmostEquals(c[i], 0, 1e-12);
});

Deno.test("ray-cast extent of a cube is s / max|u_i|, and E_l is rotation invariant", () => {
  const b = 8;
  const s = 0.5;
  const cube = cubeMesh(s);
  const ext = extentFromMesh(cube, b);
  const dirs = gridDirections(dhGrid(b));
  for (let c = 0; c < ext.length; c++) {
    const m = Math.max(Math.abs(dirs[3 * c]), Math.abs(dirs[3 * c + 1]), Math.abs(dirs[3 * c + 2]));
    assertAlmostEquals(ext[c], s / m, 1e-12, `cell ${c}`);
  }
  const degree = 7;
  const bb = oversampledBandwidth(degree);
  const e0 = shInvariants(shForward(extentFromMesh(cube, bb), bb, degree), degree);
  const rotated = { ...cube, vertices: transformPoints(cube.vertices, randomRotation(2)) };
  const e1 = shInvariants(shForward(extentFromMesh(rotated, bb), bb, degree), degree);
  assertAlmostEquals(e1[0], e0[0], 1e-2 * e0[0]);
  assert(Math.abs(e1[4] - e0[4]) < 0.1 * e0[4], `E_4 ${e0[4]} vs ${e1[4]}`);
});

function legendreP(l: number, x: number): number {
  let p0 = 1;
  let p1 = x;
  if (l === 0) return 1;
  for (let k = 2; k <= l; k++) {
    const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
    p0 = p1;
    p1 = p2;
  }
  return p1;
}
