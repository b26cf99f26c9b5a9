import { assertAllClose } from "../../../testing/assert.ts";
import { gpuTest } from "../_testing.ts";
import { rngFor } from "./_testing.ts";
import { softBinTerms } from "./histogram.ts";
import { softBinTermsRef } from "./histogram_ref.ts";

gpuTest("softBinTerms: matches the float64 reference, in and out of [0, 1]", async (gpu) => {
  const rng = rngFor("softBinTerms");
  for (const [n, bins, bw] of [[1, 8, 1 / 8], [7, 16, 0.05], [33, 5, 0.3]] as const) {
    // Keep values off bin edges, where f32 and f64 may pick different nearest centres.
    const data = rng.uniformArray(n * 2, -0.5, 1.5).map((v) => {
      const f = v * bins - Math.round(v * bins);
      return Math.abs(f) < 1e-3 ? v + 0.2 / bins : v;
    });
    const x = gpu.tensor(data, [n, 2]);
    const { slope, mid } = softBinTerms(x, bins, bw);
    const ref = softBinTermsRef(data, bins, bw);
    assertAllClose(await slope.read(), ref.slope, { atol: 1e-6 / (bw * bw), msg: "slope" });
    assertAllClose(await mid.read(), ref.mid, { atol: 1e-6, msg: "mid" });
    for (const t of [x, slope, mid]) t.dispose();
  }
});
