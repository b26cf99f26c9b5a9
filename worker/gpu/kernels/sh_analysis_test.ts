import { assert, assertAllClose, assertEquals } from "../../../testing/assert.ts";
import { gpuTest } from "../_testing.ts";
import { ballPoints } from "./_basis_testing.ts";
import { rngFor } from "./_testing.ts";
import { extentCapMax, shForward, uploadProjection } from "./sh_analysis.ts";
import { extentCapMaxRef, shForwardRef } from "./sh_analysis_ref.ts";

gpuTest("cap-max extent matches the float64 reference off the cap edges", async (gpu) => {
  const rng = rngFor("extent");
  for (const [n, count, cap] of [[8, 40, 0.4], [12, 200, 0.15]] as const) {
    const pts = ballPoints(rng, count);
    for (let i = 0; i < 3; i++) pts[4 * (count - 1 - i) + 3] = 0; // padding, skipped
    const tensor = gpu.tensor(pts, [1, count, 4]);
    const out = extentCapMax(gpu, { tensor, shapes: 1, chunks: 1, chunk: count }, n, cap);
    assertEquals(out.shape, [1, n, n]);
    const got = await out.read();
    const ref = extentCapMaxRef(pts, n, cap);
    let compared = 0;
    for (let c = 0; c < n * n; c++) {
      if (ref.borderline[c]) continue;
      compared++;
      assertAllClose([got[c]], [ref.grid[c]], { atol: 1e-6, msg: `n ${n} cell ${c}` });
    }
    assert(compared > 0.9 * n * n, `only ${compared} of ${n * n} cells were comparable`);
    assert(ref.grid.some((v) => v > 0), "the reference grid must not be empty");
    tensor.dispose();
    out.dispose();
  }
});

gpuTest("forward SH transform matches the float64 reference", async (gpu) => {
  const rng = rngFor("sh forward");
  for (const [n, degree, shapes] of [[8, 3, 1], [12, 5, 3]] as const) {
    const tri = ((degree + 1) * (degree + 2)) / 2;
    const table = rng.uniformArray(n * tri);
    const grids = rng.uniformArray(shapes * n * n, 0, 1);
    const projection = uploadProjection(gpu, table, n, degree);
    const g = gpu.tensor(grids, [shapes, n, n]);
    const out = shForward(gpu, g, projection);
    const got = await out.read();
    const count = (degree + 1) ** 2;
    for (let s = 0; s < shapes; s++) {
      const want = shForwardRef(grids.subarray(s * n * n, (s + 1) * n * n), table, n, degree);
      assertAllClose(got.subarray(s * count, (s + 1) * count), want, {
        atol: 1e-4 * n,
        rtol: 1e-4,
        msg: `n ${n} degree ${degree} shape ${s}`,
      });
    }
    for (const t of [projection.tensor, g, out]) t.dispose();
  }
});
