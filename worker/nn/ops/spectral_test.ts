import { assertAllClose } from "../../../testing/assert.ts";
import { powerIterationRef } from "../../gpu/kernels/spectral_norm_ref.ts";
import { Rng } from "../../lib/mod.ts";
import { gpuTest } from "../../gpu/_testing.ts";
import { checkGradients } from "../_testing.ts";
import { spectralNormalize } from "./spectral.ts";

const rng = new Rng(37);

/** W / (uᵀWv) with u, v fixed: the function whose gradient the op must return. */
function divideBySigma(
  w: Float64Array,
  rows: number,
  cols: number,
  u: ArrayLike<number>,
  v: ArrayLike<number>,
) {
  let sigma = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) sigma += u[i] * w[i * cols + j] * v[j];
  }
  return w.map((x) => x / sigma);
}

gpuTest("spectralNormalize: gradient through sigma with u, v held constant", async (gpu) => {
  for (const shape of [[5, 3], [2, 2, 3, 4]]) {
    for (const update of [false, true]) {
      const cols = shape.at(-1)!;
      const rows = shape.reduce((a, b) => a * b, 1) / cols;
      const w0 = rng.uniformArray(rows * cols);
      // Start from consistent unit vectors so that σ is well away from zero.
      const start = powerIterationRef(Float64Array.from(w0), rows, cols, rng.uniformArray(rows));
      const u0 = Float32Array.from(start.u);
      const v0 = Float32Array.from(start.v);
      const u = gpu.tensor(u0, [rows]);
      const v = gpu.tensor(v0, [cols]);
      // The op's u, v: after one power step from (u0, v0) on the unperturbed W when updating.
      const after = powerIterationRef(Float64Array.from(w0), rows, cols, u0);
      const [uu, vv] = update ? [after.u, after.v] : [u0, v0];
      await checkGradients(gpu, {
        name: `spectralNormalize [${shape}] update=${update}`,
        inputs: [{ shape, data: w0 }],
        op: (t, [w]) => spectralNormalize(t, w, u, v, { update }),
        ref: ([w]) => divideBySigma(w, rows, cols, uu, vv),
      });
      assertAllClose(await u.read(), uu, { atol: 1e-5 });
      assertAllClose(await v.read(), vv, { atol: 1e-5 });
      u.dispose();
      v.dispose();
    }
  }
});
