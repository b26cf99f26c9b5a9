import { l2NormalizeRef } from "../../gpu/kernels/normalize_ref.ts";
import { Rng } from "../../lib/mod.ts";
import { gpuTest } from "../../gpu/_testing.ts";
import { checkGradients } from "../_testing.ts";
import { l2Normalize } from "./normalize.ts";

const rng = new Rng(31);

gpuTest("l2Normalize: gradient of the projection onto the sphere", async (gpu) => {
  for (const [rows, dim] of [[1, 1], [7, 3], [33, 8], [2, 130]]) {
    await checkGradients(gpu, {
      name: `l2Normalize ${rows}x${dim}`,
      inputs: [{ shape: [rows, dim], data: rng.uniformArray(rows * dim, -2, 2) }],
      op: (t, [x]) => l2Normalize(t, x),
      ref: ([x]) => l2NormalizeRef(x, dim),
      maxChecks: 64,
    });
  }
});
