import { assertAllClose, assertEquals } from "../../../testing/assert.ts";
import { gpuTest } from "../_testing.ts";
import { ballPoints, randomRecurrences } from "./_basis_testing.ts";
import { rngFor } from "./_testing.ts";
import { shEvaluate, zernikeDensity } from "./basis_eval.ts";
import { basisEvalRef } from "./basis_eval_ref.ts";

gpuTest("Zernike density and SH evaluation match the float64 reference", async (gpu) => {
  const rng = rngFor("basis eval");
  for (const order of [0, 3, 6]) {
    const rec = randomRecurrences(rng, order, `test-eval-${order}`, true);
    // Queries inside and (for the density) outside the ball, the origin and a pole.
    const q = ballPoints(rng, 37, 1.2);
    q.set([0, 0, 0, 0, 0, 0, 0.5, 0], 0);
    const queries = gpu.tensor(q, [37, 4]);
    for (const radial of [true, false]) {
      const count = radial ? ((order + 1) * (order + 2) * (order + 3)) / 6 : (order + 1) ** 2;
      const co = rng.uniformArray(3 * count);
      const coefficients = gpu.tensor(co, [3, count]);
      const out = (radial ? zernikeDensity : shEvaluate)(gpu, coefficients, queries, rec);
      assertEquals(out.shape, [3, 37]);
      const got = await out.read();
      for (let s = 0; s < 3; s++) {
        const want = basisEvalRef(rec, co.subarray(s * count, (s + 1) * count), q, radial);
        assertAllClose(got.subarray(s * 37, (s + 1) * 37), want, {
          atol: 1e-4 * (1 + count),
          rtol: 1e-4,
          msg: `order ${order} ${radial ? "Zernike" : "SH"} shape ${s}`,
        });
      }
      coefficients.dispose();
      out.dispose();
    }
    queries.dispose();
  }
});
