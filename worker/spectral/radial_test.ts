import { assert, assertAlmostEquals } from "../../testing/assert.ts";
import { radialCount, radialIndex, radialPairs } from "./indexing.ts";
import { evalRadial, radial } from "./radial.ts";
import { gaussLegendre } from "./_testing.ts";

const TABLE: [number, number, number, number][] = [
  [0, 0, 0.5, 1.73205080756888],
  [1, 1, 0.5, 1.11803398874989],
  [2, 0, 0.5, -2.31503239718152],
  [2, 2, 0.5, 0.661437827766148],
  [3, 1, 0.5, -2.4375],
  [3, 3, 0.5, 0.375],
  [4, 0, 0.5, 0.595956017016986],
  [4, 2, 0.5, -1.96924596927352],
  [4, 4, 0.5, 0.207289049397212],
  [5, 1, 0.5, 2.18304862381609],
  [5, 3, 0.5, -1.40841846697812],
  [5, 5, 0.5, 0.11267347735825],
  [6, 0, 0.5, 1.72847010665702],
  [6, 2, 0.5, 2.71562699470403],
  [6, 4, 0.5, -0.937988154159609],
  [6, 6, 0.5, 0.0605153647844909],
  [10, 0, 0.5, 0.612632790455525],
  [10, 0, 0.9, -0.619266501415803],
  [10, 4, 0.5, -2.88001625719445],
  [10, 4, 0.9, -1.38967143016998],
  [20, 0, 0.5, -2.33987581041873],
  [20, 0, 0.9, -1.64206391893573],
  [20, 10, 0.5, -2.31296304439267],
  [20, 10, 0.9, 0.578540014736212],
  [20, 20, 0.5, 6.25366070203972e-6],
  [20, 20, 0.9, 0.797231438467957],
  [40, 0, 0.5, 0.623544908089979],
  [40, 0, 0.9, 1.14486102495445],
  [40, 20, 0.5, 2.52462114942159],
  [40, 20, 0.9, -1.89687023861671],
];

Deno.test("radial recurrence matches the mpmath reference values (f64, 1e-12)", () => {
  for (const [n, l, r, want] of TABLE) {
    assertAlmostEquals(radial(n, l, r), want, 1e-12, `R_${n},${l}(${r})`);
  }
});

Deno.test("radial recurrence matches the explicit polynomial at low order", () => {
  const rs = [0, 0.1, 0.37, 0.8, 1];
  for (const { n, l } of radialPairs(8)) {
    for (const r of rs) {
      assertAlmostEquals(radial(n, l, r), powerSum(n, l, r), 1e-11, `R_${n}${l}(${r})`);
    }
  }
});

Deno.test("R_nl(1) = √(2n+3) and R_nl(0) closed forms", () => {
  const order = 40;
  const at1 = evalRadial(1, order, new Float64Array(radialCount(order)));
  const at0 = evalRadial(0, order, new Float64Array(radialCount(order)));
  for (const { n, l } of radialPairs(order)) {
    const want = Math.sqrt(2 * n + 3);
    assert(Math.abs(at1[radialIndex(n, l)] - want) <= 1e-12 * want, `R_${n}${l}(1)`);
    const k = (n - l) / 2;
    const zero = l > 0 ? 0 : Math.sqrt(2 * n + 3) * (-1) ** k * binomialHalf(k);
    assertAlmostEquals(at0[radialIndex(n, l)], zero, 1e-11, `R_${n}${l}(0)`);
  }
  assertAlmostEquals(radial(2, 0, 0), -3.968627, 1e-6);
  assertAlmostEquals(radial(4, 0, 0), 6.218671, 1e-6);
});

Deno.test("radial Gram is the identity within 1e-12 (N = 40, Gauss–Legendre)", () => {
  const order = 40;
  const gl = gaussLegendre(order + 2, 0, 1);
  const table = Array.from(
    gl.nodes,
    (r) => evalRadial(r, order, new Float64Array(radialCount(order))),
  );
  let worst = 0;
  for (let l = 0; l <= order; l++) {
    for (let n = l; n <= order; n += 2) {
      for (let n2 = l; n2 <= n; n2 += 2) {
        let s = 0;
        for (let q = 0; q < gl.nodes.length; q++) {
          const r = gl.nodes[q];
          s += gl.weights[q] * r * r * table[q][radialIndex(n, l)] * table[q][radialIndex(n2, l)];
        }
        worst = Math.max(worst, Math.abs(s - (n === n2 ? 1 : 0)));
      }
    }
  }
  assert(worst <= 1e-12, `max |G − I| = ${worst}`);
});

/** The explicit power sum of SPECTRAL.md §2.2 (exact rational coefficients; tests only). */
function powerSum(n: number, l: number, r: number): number {
  const k = (n - l) / 2;
  let s = 0;
  for (let j = 0; j <= k; j++) {
    let poch = 1;
    for (let i = 0; i < k; i++) poch *= l + j + 1.5 + i;
    s += (-1) ** (k + j) * binomial(k, j) * poch / factorial(k) * r ** (l + 2 * j);
  }
  return Math.sqrt(2 * n + 3) * s;
}

function binomial(n: number, k: number): number {
  let b = 1;
  for (let i = 1; i <= k; i++) b = (b * (n - k + i)) / i;
  return b;
}

/** C(k + 1/2, k). */
function binomialHalf(k: number): number {
  let b = 1;
  for (let i = 1; i <= k; i++) b *= (i + 0.5) / i;
  return b;
}

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}
