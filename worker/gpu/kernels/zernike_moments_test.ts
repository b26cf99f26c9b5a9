import { assertAllClose, assertEquals } from "../../../testing/assert.ts";
import { gpuTest } from "../_testing.ts";
import { ballPoints, randomRecurrences } from "./_basis_testing.ts";
import { rngFor } from "./_testing.ts";
import { degreeGroups, zernikeMoments } from "./zernike_moments.ts";
import { zernikeMomentsRef } from "./zernike_moments_ref.ts";

gpuTest(
  "Zernike moments match the float64 reference: chunks, degree groups, padding",
  async (gpu) => {
    const rng = rngFor("zernike moments");
    const order = 5;
    const rec = randomRecurrences(rng, order, "test-moments");
    const count = ((order + 1) * (order + 2) * (order + 3)) / 6;
    // [shapes, chunks, chunk, points per shape (the rest is zero-weight padding)]
    for (const [shapes, chunks, chunk, used] of [[1, 1, 13, 13], [3, 4, 17, 60], [2, 2, 5, 7]]) {
      const data = new Float32Array(shapes * chunks * chunk * 4);
      for (let s = 0; s < shapes; s++) data.set(ballPoints(rng, used), s * chunks * chunk * 4);
      const tensor = gpu.tensor(data, [shapes, chunks * chunk, 4]);
      for (const budget of [400, 12]) {
        const out = zernikeMoments(gpu, { tensor, shapes, chunks, chunk }, rec, budget);
        assertEquals(out.shape, [shapes, count]);
        const got = await out.read();
        for (let s = 0; s < shapes; s++) {
          const pts = data.subarray(s * chunks * chunk * 4, (s + 1) * chunks * chunk * 4);
          assertAllClose(got.subarray(s * count, (s + 1) * count), zernikeMomentsRef(rec, pts), {
            atol: 2e-4 * used,
            rtol: 1e-4,
            msg: `shapes ${shapes} chunks ${chunks}×${chunk} budget ${budget}`,
          });
        }
        out.dispose();
      }
      tensor.dispose();
    }
  },
);

Deno.test("degree groups stay within the accumulator budget and cover every degree", () => {
  for (const order of [0, 6, 20]) {
    const groups = degreeGroups(order, 60);
    assertEquals(groups[0][0], 0);
    assertEquals(groups.at(-1)![1], order);
    for (let i = 1; i < groups.length; i++) assertEquals(groups[i][0], groups[i - 1][1] + 1);
  }
});
