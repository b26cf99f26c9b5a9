import { assert, assertAlmostEquals, assertEquals, assertThrows } from "../../testing/assert.ts";
import { Rng } from "../lib/mod.ts";
import {
  coefficientCellMask,
  halfTurnSigns,
  halfTurnStandardised,
  hiddenCells,
} from "./coefficient_masks.ts";
import { fromMap, shFoldedLayout, zernikeRasterLayout } from "./layout.ts";
import { realSh } from "./sh.ts";
import { zernikeMoments } from "./zernike.ts";

/** A lopsided random cloud in the unit ball (no symmetry about z). */
function lopsided(count: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const p = new Float64Array(3 * count);
  for (let i = 0; i < count; i++) {
    p.set([rng.uniform(-0.2, 0.7), rng.uniform(-0.5, 0.3), rng.uniform(-0.6, 0.6)], 3 * i);
  }
  return p;
}

function halfTurn(points: Float64Array): Float64Array {
  return points.map((v, i) => (i % 3 === 2 ? v : -v));
}

Deno.test("a half turn about z multiplies every Zernike moment by (−1)^m", () => {
  const order = 8;
  const layout = zernikeRasterLayout(order);
  const points = lopsided(300, 1);
  const a = zernikeMoments(points, order), b = zernikeMoments(halfTurn(points), order);
  const signs = fromMap(halfTurnSigns(layout), layout);
  let odd = 0;
  for (let c = 0; c < a.length; c++) {
    assertAlmostEquals(b[c], signs[c] * a[c], 1e-12);
    if (signs[c] < 0 && Math.abs(a[c]) > 1e-3) odd++;
  }
  assert(odd > 20, "the cloud has odd-m content");
});

Deno.test("a half turn about z multiplies every spherical harmonic by (−1)^m", () => {
  const degree = 6;
  const layout = shFoldedLayout(degree);
  const signs = fromMap(halfTurnSigns(layout), layout);
  const y = realSh(0.3, -0.5, 0.4, degree), yTurned = realSh(-0.3, 0.5, 0.4, degree);
  for (let c = 0; c < y.length; c++) assertAlmostEquals(yTurned[c], signs[c] * y[c], 1e-12);
});

Deno.test("masks hide odd-m cells or every degree above the cut, never padding", () => {
  const layout = zernikeRasterLayout(10);
  const odd = coefficientCellMask(layout, { kind: "odd_m" });
  const signs = halfTurnSigns(layout);
  for (let k = 0; k < odd.length; k++) assertEquals(odd[k] === 1, signs[k] < 0);
  const valid = new Uint8Array(odd.length);
  for (let c = 0; c < layout.count; c++) valid[layout.cellOf[c]] = 1;
  const high = coefficientCellMask(layout, { kind: "above_degree", degree: 7 });
  // Canonical n-major order: degrees ≤ 7 are the first 8·9·10/6 = 120 coefficients.
  for (let k = 0; k < high.length; k++) {
    assertEquals(high[k], valid[k] === 1 && layout.coefficientOf[k] >= 120 ? 1 : 0);
  }
  const share = odd.reduce((s, v) => s + v, 0) / layout.count;
  assert(share > 0.4 && share < 0.5, `odd-m share ${share}`);
});

Deno.test("half-turned standardised maps flip the raw odd-m values, keep the rest", () => {
  const signs = Float32Array.of(1, -1, -1);
  const mean = Float32Array.of(0.5, 0.2, -0.1), std = Float32Array.of(2, 0.5, 1);
  const raw = [3, 0.7, 0.4];
  const z = Float32Array.from(raw, (v, c) => (v - mean[c]) / std[c]);
  const turned = halfTurnStandardised(z, { mean, std, clip: 100 }, signs);
  const expected = raw.map((v, c) => (signs[c] * v - mean[c]) / std[c]);
  for (let c = 0; c < 3; c++) assertAlmostEquals(turned[c], expected[c], 1e-6);
  assertEquals(halfTurnStandardised(z, { mean, std, clip: 0.5 }, signs)[1], -0.5);
});

Deno.test("hidden cells list the mask's cells; a mask that hides nothing is refused", () => {
  const layout = zernikeRasterLayout(6);
  const mask = coefficientCellMask(layout, { kind: "odd_m" });
  const cells = hiddenCells(layout, { kind: "odd_m" });
  assertEquals(cells, [...mask.keys()].filter((c) => mask[c] === 1));
  // Degree 6 holds l = 0, 2, 4, 6: 1 + 5 + 9 + 13 = 28 coefficients.
  assertEquals(hiddenCells(layout, { kind: "above_degree", degree: 5 }).length, 28);
  assertThrows(
    () => hiddenCells(layout, { kind: "above_degree", degree: 6 }),
    RangeError,
    "Cannot use mask above_degree with degree 6: it hides no coefficient of a map of order 6",
  );
});
