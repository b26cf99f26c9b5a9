import { assert, assertAlmostEquals } from "../../testing/assert.ts";
import { shCount, shIndex } from "./indexing.ts";
import { direction, evalShAt, realSh } from "./sh.ts";
import { sphereQuadrature } from "./_testing.ts";

const U: [number, number, number] = [0.48, -0.6, 0.64];
const TABLE: [number, number, number][] = [
  [0, 0, 2.820947917739e-01],
  [1, -1, -2.931615071418e-01],
  [1, 0, 3.127056076179e-01],
  [1, 1, 2.345292057134e-01],
  [2, -2, -3.146539480105e-01],
  [2, -1, -4.195385973474e-01],
  [2, 0, 7.216159012978e-02],
  [2, 1, 3.356308778779e-01],
  [2, 2, -7.079713830237e-02],
  [3, -3, -1.172534621902e-01],
  [3, 3, -2.406244963208e-01],
  [15, 7, -5.687638664354e-01],
  [15, -15, -1.244446168279e-02],
  [31, -20, -4.859980609912e-03],
  [31, 31, -2.508607455689e-04],
];

Deno.test("real SH match the reference values", () => {
  const y = realSh(...U, 31);
  for (const [l, m, want] of TABLE) {
    assertAlmostEquals(y[shIndex(l, m)], want, 1e-12 + 1e-11 * Math.abs(want), `Y(${l},${m})`);
  }
});

Deno.test("real SH: degree 1 is √(3/4π)(y, z, x) and the poles are exact", () => {
  const c = Math.sqrt(3 / (4 * Math.PI));
  const y = realSh(0.3, -0.4, 0.5, 1);
  const r = Math.hypot(0.3, -0.4, 0.5);
  assertAlmostEquals(y[shIndex(1, -1)], (c * -0.4) / r, 1e-15);
  assertAlmostEquals(y[shIndex(1, 0)], (c * 0.5) / r, 1e-15);
  assertAlmostEquals(y[shIndex(1, 1)], (c * 0.3) / r, 1e-15);
  for (const z of [1, -1]) {
    const p = realSh(0, 0, z, 20);
    for (let l = 0; l <= 20; l++) {
      for (let m = -l; m <= l; m++) {
        const want = m === 0 ? z ** l * Math.sqrt((2 * l + 1) / (4 * Math.PI)) : 0;
        assert(
          p[shIndex(l, m)] === want || Math.abs(p[shIndex(l, m)] - want) < 1e-13,
          `pole ${l},${m}`,
        );
        if (m !== 0) assert(p[shIndex(l, m)] === 0, `pole value ${l},${m} is exactly 0`);
      }
    }
  }
});

Deno.test("real SH Gram under GL(L+1) × trapezoid(2L+1) is I within 1e-12 (L = 20)", () => {
  const degree = 20;
  const q = sphereQuadrature(degree);
  const count = shCount(degree);
  const gram = new Float64Array(count * count);
  const y = new Float64Array(count);
  for (let i = 0; i < q.weights.length; i++) {
    evalShAt(direction(q.points[3 * i], q.points[3 * i + 1], q.points[3 * i + 2]), degree, y);
    const w = q.weights[i];
    for (let a = 0; a < count; a++) {
      const wa = w * y[a];
      for (let b = 0; b <= a; b++) gram[a * count + b] += wa * y[b];
    }
  }
  let worst = 0;
  for (let a = 0; a < count; a++) {
    for (let b = 0; b <= a; b++) {
      worst = Math.max(worst, Math.abs(gram[a * count + b] - (a === b ? 1 : 0)));
    }
  }
  assert(worst <= 1e-12, `max |G − I| = ${worst}`);
});
