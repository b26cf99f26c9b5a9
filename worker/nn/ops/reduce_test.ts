import { meanRef, sumRef } from "../../gpu/kernels/reduce_ref.ts";
import { Rng } from "../../lib/mod.ts";
import { gpuTest } from "../../gpu/_testing.ts";
import { checkGradients } from "../_testing.ts";
import { mean, sum } from "./reduce.ts";

const rng = new Rng(13);

gpuTest("sum and mean: gradients over any axes, with and without keepDims", async (gpu) => {
  const shape = [3, 4, 5];
  const cases: [number[] | undefined, boolean][] = [
    [undefined, false],
    [[0], false],
    [[1], true],
    [[-1], false],
    [[0, 2], true],
  ];
  for (const [axes, keep] of cases) {
    for (const [name, fn, ref] of [["sum", sum, sumRef], ["mean", mean, meanRef]] as const) {
      await checkGradients(gpu, {
        name: `${name} axes=${axes} keepDims=${keep}`,
        inputs: [{ shape, data: rng.uniformArray(60) }],
        op: (t, [x]) => fn(t, x, axes, keep),
        ref: ([x]) => ref(x, shape, axes ?? null, keep).data,
      });
    }
  }
});
