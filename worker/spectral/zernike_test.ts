import { assert, assertAlmostEquals, assertThrows } from "../../testing/assert.ts";
import { Rng } from "../lib/mod.ts";
import { radialPairs, zernikeCount, zernikeIndex, zernikeIndices } from "./indexing.ts";
import { zernikeInvariants } from "./invariants.ts";
import { applyNormalization, pointNormalization } from "./normalize.ts";
import { radial } from "./radial.ts";
import { ballQuadrature, randomRotation, sphereQuadrature, transformPoints } from "./_testing.ts";
import { solidMoments, voxelizeFunction } from "./voxel.ts";
import { zernikeBasis, zernikeDensity, zernikeMoments } from "./zernike.ts";

const X: [number, number, number] = [0.3, -0.4, 0.5];
const TABLE: [number, number, number, number][] = [
  [0, 0, 0, 4.886025119029e-01],
  [1, 1, -1, -4.370193722368e-01],
  [1, 1, 0, 5.462742152960e-01],
  [1, 1, 1, 3.277645291776e-01],
  [2, 0, 0, -1.865881662951e-01],
  [2, 2, -2, -3.468733731169e-01],
  [2, 2, 1, 4.335917163961e-01],
  [3, 1, 0, -5.496778258908e-01],
  [3, 3, -3, -7.788575387032e-02],
  [3, 3, 2, -1.517571007386e-01],
  [4, 2, -1, 9.058933023914e-01],
  [4, 4, 4, -1.093874039942e-01],
  [5, 3, -2, 1.094336016258e+00],
  [6, 0, 0, 1.963172961220e-01],
  [8, 4, -3, -2.493174706613e-01],
  [8, 8, 8, 5.237268000301e-03],
  [20, 0, 0, -4.956281873199e-01],
  [20, 10, -7, -1.882577101530e-01],
  [20, 20, 20, 5.397553328025e-06],
  [19, 5, 3, 4.596218096482e-01],
];

Deno.test("canonical index is a contiguous bijection and truncation is a prefix", () => {
  for (const order of [0, 1, 6, 20, 40]) {
    const list = zernikeIndices(order);
    assert(list.length === zernikeCount(order), `count at N=${order}`);
    list.forEach(({ n, l, m }, i) =>
      assert(zernikeIndex(n, l, m) === i, `index of ${n},${l},${m}`)
    );
  }
  assert(zernikeCount(16) === 969 && zernikeCount(20) === 1771, "table counts");
  assert(radialPairs(20).length === 121, "121 invariants at N = 20");
});

Deno.test("Zernike basis matches the reference values at (0.3, −0.4, 0.5)", () => {
  const z = zernikeBasis(...X, 20);
  for (const [n, l, m, want] of TABLE) {
    assertAlmostEquals(
      z[zernikeIndex(n, l, m)],
      want,
      1e-12 + 1e-11 * Math.abs(want),
      `Z(${n},${l},${m})`,
    );
  }
});

Deno.test("ball Gram of the full basis is I within 1e-12 (f64, N = 10)", () => {
  const order = 10;
  const q = ballQuadrature(order);
  const count = zernikeCount(order);
  const gram = new Float64Array(count * count);
  for (let i = 0; i < q.weights.length; i++) {
    const z = zernikeBasis(q.points[3 * i], q.points[3 * i + 1], q.points[3 * i + 2], order);
    for (let a = 0; a < count; a++) {
      const wa = q.weights[i] * z[a];
      for (let b = 0; b <= a; b++) gram[a * count + b] += wa * z[b];
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

Deno.test("solid ball: exact quadrature matches the closed form within 1e-12", () => {
  const order = 12;
  for (const a of [0.8, 0.55, 1]) {
    const q = ballQuadrature(order, a);
    const got = zernikeMoments(q.points, order, q.weights);
    const want = ballMoments(a, order);
    for (let c = 0; c < got.length; c++) {
      assertAlmostEquals(got[c], want[c], 1e-12, `a=${a} c=${c}`);
    }
  }
  const m = ballMoments(0.8, 10);
  const table: [number, number][] = [
    [0, 1.0478865489],
    [2, -0.8643634974],
    [4, -0.2058720275],
    [6, 0.2629290491],
    [8, 0.2229273736],
    [10, -0.0669415911],
  ];
  for (const [n, v] of table) assertAlmostEquals(m[zernikeIndex(n, 0, 0)], v, 1e-10, `Ω_${n}00`);
});

Deno.test("voxelised solid ball (G = 64): l = 0 within 1e-3, spurious l > 0 within 5e-3", () => {
  const order = 10;
  const a = 0.8;
  const got = solidMoments(
    voxelizeFunction(64, (x, y, z) => x * x + y * y + z * z <= a * a),
    order,
  );
  const want = ballMoments(a, order);
  zernikeIndices(order).forEach(({ l }, c) => {
    assertAlmostEquals(got[c], want[c], l === 0 ? 1e-3 : 5e-3, `c=${c}`);
  });
});

Deno.test("spherical shell and single points have their closed forms", () => {
  const order = 12;
  const a = 0.7;
  const s = sphereQuadrature(order);
  const shell = zernikeMoments(
    s.points.map((v) => v * a),
    order,
    s.weights.map((w) => w / (4 * Math.PI)),
  );
  const one = zernikeMoments([0, 0, a], order);
  const origin = zernikeMoments([0, 0, 0], order);
  zernikeIndices(order).forEach(({ n, l, m }, c) => {
    assertAlmostEquals(
      shell[c],
      l === 0 ? radial(n, 0, a) / Math.sqrt(4 * Math.PI) : 0,
      1e-12,
      `shell ${c}`,
    );
    const single = m === 0 ? radial(n, l, a) * Math.sqrt((2 * l + 1) / (4 * Math.PI)) : 0;
    assertAlmostEquals(one[c], single, 1e-12, `point ${c}`);
    assertAlmostEquals(
      origin[c],
      l === 0 ? radial(n, 0, 0) / Math.sqrt(4 * Math.PI) : 0,
      1e-12,
      `origin ${c}`,
    );
  });
});

Deno.test("centering makes Ω_11m vanish and Ω_000 = √3/√(4π)", () => {
  const rng = new Rng(3);
  const raw = Float64Array.from({ length: 3 * 500 }, () => rng.uniform(-2, 5));
  const pts = applyNormalization(raw, pointNormalization(raw));
  const om = zernikeMoments(pts, 3);
  for (const m of [-1, 0, 1]) assertAlmostEquals(om[zernikeIndex(1, 1, m)], 0, 1e-15, `Ω_11${m}`);
  assertAlmostEquals(om[0], Math.sqrt(3) / Math.sqrt(4 * Math.PI), 1e-13);
  const off = zernikeMoments([0.1, 0.2, 0.3], 1);
  const c = Math.sqrt(15 / (4 * Math.PI));
  assertAlmostEquals(off[zernikeIndex(1, 1, -1)], c * 0.2, 1e-15);
  assertAlmostEquals(off[zernikeIndex(1, 1, 0)], c * 0.3, 1e-15);
  assertAlmostEquals(off[zernikeIndex(1, 1, 1)], c * 0.1, 1e-15);
});

Deno.test("mirror and axial symmetries zero the predicted moments", () => {
  const order = 10;
  const rng = new Rng(11);
  const base = Float64Array.from({ length: 3 * 60 }, () => rng.uniform(-0.55, 0.55));
  const sym = (maps: ((p: number[]) => number[])[]) => {
    const out: number[] = [];
    for (let i = 0; i < base.length; i += 3) {
      for (const f of maps) out.push(...f([base[i], base[i + 1], base[i + 2]]));
    }
    return zernikeMoments(out, order);
  };
  const id = (p: number[]) => p;
  const cases: [string, number[] | Float64Array, (n: number, l: number, m: number) => boolean][] = [
    ["point reflection", sym([id, ([x, y, z]) => [-x, -y, -z]]), (_n, l) => l % 2 === 1],
    ["z → −z", sym([id, ([x, y, z]) => [x, y, -z]]), (_n, l, m) => (l + m) % 2 !== 0],
    ["y → −y", sym([id, ([x, y, z]) => [x, -y, z]]), (_n, _l, m) => m < 0],
    [
      "x → −x",
      sym([id, ([x, y, z]) => [-x, y, z]]),
      (_n, _l, m) => (m > 0 && m % 2 === 1) || (m < 0 && m % 2 === 0),
    ],
  ];
  const kfold = (k: number) =>
    sym(Array.from({ length: k }, (_, i) => ([x, y, z]: number[]) => {
      const c = Math.cos((2 * Math.PI * i) / k), s = Math.sin((2 * Math.PI * i) / k);
      return [c * x - s * y, s * x + c * y, z];
    }));
  cases.push(["5-fold about z", kfold(5), (_n, _l, m) => m !== 0 && Math.abs(m) < 5]);
  cases.push(["axisymmetric (K > N)", kfold(order + 1), (_n, _l, m) => m !== 0]);
  for (const [name, om, zero] of cases) {
    let nonzero = 0;
    zernikeIndices(order).forEach(({ n, l, m }, c) => {
      if (zero(n, l, m)) assertAlmostEquals(om[c], 0, 1e-12, `${name}: Ω_${n},${l},${m}`);
      else if (Math.abs(om[c]) > 1e-6) nonzero++;
    });
    assert(nonzero > 10, `${name}: the other moments are not all zero`);
  }
});

Deno.test("rotating a point cloud changes Ω but leaves F_nl unchanged (1e-12)", () => {
  const order = 12;
  const rng = new Rng(5);
  const pts = Float64Array.from({ length: 3 * 300 }, () => rng.uniform(-0.55, 0.55));
  const a = zernikeMoments(pts, order);
  const b = zernikeMoments(transformPoints(pts, randomRotation(9)), order);
  let change = 0;
  for (let c = 0; c < a.length; c++) change = Math.max(change, Math.abs(a[c] - b[c]));
  assert(change > 1e-2, `coefficients should change under rotation (max change ${change})`);
  const fa = zernikeInvariants(a, order);
  const fb = zernikeInvariants(b, order);
  for (let i = 0; i < fa.length; i++) assertAlmostEquals(fa[i], fb[i], 1e-12, `F[${i}]`);
});

Deno.test("moments refuse points outside the unit ball", () => {
  assertThrows(
    () => zernikeMoments([0, 0, 0, 0.9, 0.9, 0], 4),
    RangeError,
    "point 1 lies outside the unit ball",
  );
});

Deno.test("density reconstruction reproduces a finite expansion exactly", () => {
  const order = 6;
  const rng = new Rng(2);
  const coef = Float64Array.from({ length: zernikeCount(order) }, () => rng.normal());
  const q = [0.1, 0.2, -0.3, 0, 0, 0, 0.5, -0.5, 0.5, 0.9, 0.9, 0.9];
  const f = zernikeDensity(coef, order, q);
  for (let i = 0; i < 3; i++) {
    const z = zernikeBasis(q[3 * i], q[3 * i + 1], q[3 * i + 2], order);
    const want = z.reduce((s, v, c) => s + v * coef[c], 0);
    assertAlmostEquals(f[i], want, 1e-12);
  }
  assert(f[3] === 0, "outside the ball the density is 0");
});

/** Closed-form moments of the solid ball of radius a (SPECTRAL.md §4.5). */
function ballMoments(a: number, order: number): Float64Array {
  const out = new Float64Array(zernikeCount(order));
  const s4pi = Math.sqrt(4 * Math.PI);
  out[0] = (s4pi * a ** 3) / Math.sqrt(3);
  for (let n = 2; n <= order; n += 2) {
    const k = n / 2;
    out[zernikeIndex(n, 0, 0)] = (-s4pi * Math.sqrt(2 * n + 3) * a ** 3 * (1 - a * a) *
      jacobi(k - 1, 1, 1.5, 2 * a * a - 1)) / (2 * k);
  }
  return out;
}

function jacobi(n: number, al: number, be: number, x: number): number {
  if (n === 0) return 1;
  let p0 = 1;
  let p1 = al + 1 + ((al + be + 2) * (x - 1)) / 2;
  for (let k = 2; k <= n; k++) {
    const s = 2 * k + al + be;
    const p2 = ((s - 1) * (s * (s - 2) * x + al * al - be * be) * p1 -
      2 * (k + al - 1) * (k + be - 1) * s * p0) / (2 * k * (k + al + be) * (s - 2));
    p0 = p1;
    p1 = p2;
  }
  return p1;
}
