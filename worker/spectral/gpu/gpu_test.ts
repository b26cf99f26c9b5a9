import { assert, assertAllClose, assertAlmostEquals } from "../../../testing/assert.ts";
import { Rng } from "../../lib/mod.ts";
import { gpuTest } from "../../gpu/_testing.ts";
import { dhGrid, gridDirections, shForward, shInverse } from "../dh.ts";
import { extentFromPoints } from "../extent.ts";
import { shCount, zernikeCount, zernikeIndex, zernikeIndices } from "../indexing.ts";
import { zernikeInvariants } from "../invariants.ts";
import { radial } from "../radial.ts";
import { ballQuadrature, randomRotation, transformPoints } from "../_testing.ts";
import { zernikeBasis, zernikeDensity, zernikeMoments } from "../zernike.ts";
import {
  shEvaluateBatch,
  shFromGridsBatch,
  zernikeDensityBatch,
  zernikeMomentsBatch,
} from "./batch.ts";
import { uploadPoints } from "./points.ts";
import { extentGpu } from "./transforms.ts";
import { ACCUMULATOR_BUDGET, degreeGroups } from "../../gpu/kernels/mod.ts";

function ballCloud(rng: Rng, count: number, radius = 0.95): Float64Array {
  const out = new Float64Array(3 * count);
  for (let i = 0; i < count; i++) {
    let x, y, z;
    do {
      x = rng.uniform(-1, 1);
      y = rng.uniform(-1, 1);
      z = rng.uniform(-1, 1);
    } while (x * x + y * y + z * z > 1);
    out.set([radius * x, radius * y, radius * z], 3 * i);
  }
  return out;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

gpuTest(
  "GPU Zernike moments match the CPU reference (awkward sizes, batch 1 and 33)",
  async (gpu) => {
    const order = 6;
    const rng = new Rng(7);
    for (const sizes of [[13], [1, 7, 13, 65, 2048, ...Array(28).fill(17)]]) {
      const sets = sizes.map((m) => ({
        points: ballCloud(rng, m),
        weights: Float64Array.from({ length: m }, () => rng.uniform(0, 2 / m)),
      }));
      const before = gpu.counters.submits;
      const got = await zernikeMomentsBatch(gpu, sets, order);
      assert(
        gpu.counters.submits - before <= 3,
        `one chain per batch, saw ${gpu.counters.submits - before} submits`,
      );
      sets.forEach((s, i) => {
        const want = zernikeMoments(s.points, order, s.weights);
        assertAllClose(got[i], want, {
          atol: 1e-4 * maxAbs(want),
          rtol: 0,
          msg: `shape ${i} (M=${sizes[i]})`,
        });
      });
    }
  },
);

gpuTest(
  "GPU (f32) ball Gram is I within 2e-5 (moments and density kernels, N = 6)",
  async (gpu) => {
    const order = 6;
    const count = zernikeCount(order);
    const q = ballQuadrature(order);
    const nq = q.weights.length;
    const basis = Array.from(
      { length: nq },
      (_, i) => zernikeBasis(q.points[3 * i], q.points[3 * i + 1], q.points[3 * i + 2], order),
    );
    const sets = Array.from({ length: count }, (_, c) => ({
      points: q.points,
      weights: Float64Array.from({ length: nq }, (_, i) => q.weights[i] * basis[i][c]),
    }));
    const gram = await zernikeMomentsBatch(gpu, sets, order);
    const oneHot = Array.from(
      { length: count },
      (_, c) => Float64Array.from({ length: count }, (_, d) => (d === c ? 1 : 0)),
    );
    const values = await zernikeDensityBatch(gpu, oneHot, order, q.points);
    let worstMoments = 0;
    let worstDensity = 0;
    for (let a = 0; a < count; a++) {
      for (let b = 0; b < count; b++) {
        const id = a === b ? 1 : 0;
        worstMoments = Math.max(worstMoments, Math.abs(gram[a][b] - id));
        let s = 0;
        for (let i = 0; i < nq; i++) s += q.weights[i] * values[a][i] * values[b][i];
        worstDensity = Math.max(worstDensity, Math.abs(s - id));
      }
    }
    assert(worstMoments <= 2e-5, `moments kernel: max |G − I| = ${worstMoments}`);
    assert(worstDensity <= 2e-5, `density kernel: max |G − I| = ${worstDensity}`);
  },
);

gpuTest(
  "GPU radial values: R_nl(1) and the reference table in f32 (single-point moments)",
  async (gpu) => {
    const order = 10;
    const rs = [0.5, 0.9, 1];
    const got = await zernikeMomentsBatch(
      gpu,
      rs.map((r) => ({ points: [0, 0, r], weights: [1] })),
      order,
    );
    rs.forEach((r, i) => {
      for (let n = 0; n <= order; n++) {
        for (let l = n % 2; l <= n; l += 2) {
          const value = got[i][zernikeIndex(n, l, 0)] / Math.sqrt((2 * l + 1) / (4 * Math.PI));
          const want = r === 1 ? Math.sqrt(2 * n + 3) : radial(n, l, r);
          const tol = r === 1 ? 1e-5 * want : 5e-5;
          assertAlmostEquals(value, want, tol, `R_${n}${l}(${r})`);
        }
      }
    });
    assertAlmostEquals(
      got[0][zernikeIndex(10, 4, 0)] / Math.sqrt(9 / (4 * Math.PI)),
      -2.88001625719445,
      5e-5,
    );
  },
);

gpuTest(
  "GPU F_nl are rotation invariant in f32 (2e-5 relative, floored at 1e-3 max F)",
  async (gpu) => {
    const order = 8;
    const pts = ballCloud(new Rng(3), 512, 0.9);
    const [a, b] = await zernikeMomentsBatch(gpu, [{ points: pts }, {
      points: transformPoints(pts, randomRotation(4)),
    }], order);
    const fa = zernikeInvariants(a, order);
    const fb = zernikeInvariants(b, order);
    const floor = 1e-3 * maxAbs(fa);
    for (let i = 0; i < fa.length; i++) {
      assert(
        Math.abs(fa[i] - fb[i]) / Math.max(fa[i], floor) <= 2e-5,
        `F[${i}]: ${fa[i]} vs ${fb[i]}`,
      );
    }
  },
);

gpuTest("GPU moments of mirrored clouds have the predicted zeros in f32 (1e-6)", async (gpu) => {
  const order = 8;
  const base = ballCloud(new Rng(12), 300, 0.9);
  const mirror = (f: (x: number, y: number, z: number) => number[]) => {
    const out: number[] = [];
    for (let i = 0; i < base.length; i += 3) {
      out.push(base[i], base[i + 1], base[i + 2], ...f(base[i], base[i + 1], base[i + 2]));
    }
    return { points: out };
  };
  const [odd, sinTerms] = await zernikeMomentsBatch(gpu, [
    mirror((x, y, z) => [-x, -y, -z]),
    mirror((x, y, z) => [x, -y, z]),
  ], order);
  zernikeIndices(order).forEach(({ n, l, m }, c) => {
    if (l % 2 === 1) assertAlmostEquals(odd[c], 0, 1e-6, `point reflection Ω_${n},${l},${m}`);
    if (m < 0) assertAlmostEquals(sinTerms[c], 0, 1e-6, `y → −y Ω_${n},${l},${m}`);
  });
});

gpuTest("GPU Zernike density and SH evaluation match the CPU", async (gpu) => {
  const rng = new Rng(9);
  const order = 6;
  const coef = Array.from(
    { length: 3 },
    () => Float64Array.from({ length: zernikeCount(order) }, () => rng.normal()),
  );
  const queries = ballCloud(rng, 37, 1.05);
  const dens = await zernikeDensityBatch(gpu, coef, order, queries);
  coef.forEach((c, i) => {
    const want = zernikeDensity(c, order, queries);
    assertAllClose(dens[i], want, { atol: 1e-4 * maxAbs(want), rtol: 0 });
  });
  const degree = 9;
  const sh = Array.from(
    { length: 2 },
    () => Float64Array.from({ length: shCount(degree) }, () => rng.normal()),
  );
  const got = await shEvaluateBatch(gpu, sh, degree, queries);
  sh.forEach((c, i) => {
    const want = shInverse(c, degree, queries);
    assertAllClose(got[i], want, { atol: 1e-4 * maxAbs(want), rtol: 0 });
  });
});

gpuTest("GPU SH forward transform of DH grids matches the CPU", async (gpu) => {
  const degree = 7;
  const b = 16;
  const rng = new Rng(2);
  const grids = Array.from({ length: 5 }, () => {
    const c = Float64Array.from({ length: shCount(11) }, () => rng.normal());
    return shInverse(c, 11, gridDirections(dhGrid(b)));
  });
  const got = await shFromGridsBatch(gpu, grids, b, degree);
  grids.forEach((g, i) => {
    const want = shForward(g, b, degree);
    assertAllClose(got[i], want, { atol: 1e-4 * maxAbs(want), rtol: 0 });
  });
});

gpuTest("GPU cap-max extent agrees with the CPU on almost every cell", async (gpu) => {
  const b = 16;
  const rng = new Rng(6);
  const clouds = [ballCloud(rng, 700, 0.9), ballCloud(rng, 64, 0.9)];
  const cap = 0.15;
  const batch = uploadPoints(gpu, clouds.map((points) => ({ points })));
  const t = extentGpu(gpu, batch, b, cap);
  const data = await t.read();
  t.dispose();
  batch.tensor.dispose();
  const n = 4 * b * b;
  clouds.forEach((c, i) => {
    const want = extentFromPoints(c, b, cap);
    let same = 0;
    for (let cell = 0; cell < n; cell++) {
      if (Math.abs(data[i * n + cell] - want[cell]) <= 1e-6) same++;
    }
    assert(same >= 0.99 * n, `cloud ${i}: ${same}/${n} cells agree`);
  });
});

Deno.test("degree groups cover 0..N contiguously within the accumulator budget", () => {
  for (const order of [0, 6, 16, 20]) {
    const groups = degreeGroups(order);
    let next = 0;
    for (const [l0, l1] of groups) {
      assert(l0 === next && l1 >= l0, `group [${l0}, ${l1}] follows ${next - 1}`);
      let cost = 0;
      for (let l = l0; l <= l1; l++) cost += (Math.floor((order - l) / 2) + 1) * (2 * l + 1);
      assert(l0 === l1 || cost <= ACCUMULATOR_BUDGET, `group [${l0}, ${l1}] costs ${cost}`);
      next = l1 + 1;
    }
    assert(next === order + 1, `groups end at ${order}`);
  }
});
