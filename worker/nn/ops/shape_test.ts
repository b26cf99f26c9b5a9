import { concatRef, sliceRef } from "../../gpu/kernels/shape_ref.ts";
import { Rng } from "../../lib/mod.ts";
import { gpuTest } from "../../gpu/_testing.ts";
import { checkGradients } from "../_testing.ts";
import { mul } from "./elementwise.ts";
import { concat, reshape, slice } from "./shape.ts";

const rng = new Rng(17);

gpuTest("concat: gradients reach every input along any axis", async (gpu) => {
  for (const axis of [0, 1, 3]) {
    const shapes = [[2, 3, 2, 4], [2, 3, 2, 4]].map((s, i) =>
      s.map((d, k) => (k === axis ? d + i * 3 : d))
    );
    await checkGradients(gpu, {
      name: `concat axis ${axis}`,
      inputs: shapes.map((shape) => ({ shape, data: rng.uniformArray(size(shape)) })),
      op: (t, xs) => concat(t, xs, axis),
      ref: (xs) => concatRef(xs.map((data, i) => ({ data, shape: shapes[i] })), axis).data,
    });
  }
});

gpuTest("concat of a tensor with itself accumulates both gradients", async (gpu) => {
  await checkGradients(gpu, {
    name: "concat self",
    inputs: [{ shape: [3, 2], data: rng.uniformArray(6) }],
    op: (t, [x]) => concat(t, [x, x], -1),
    ref: ([x]) => concatRef([{ data: x, shape: [3, 2] }, { data: x, shape: [3, 2] }], 1).data,
  });
});

gpuTest("slice and reshape: gradients", async (gpu) => {
  const shape = [4, 7, 3];
  for (const [axis, start, length] of [[0, 1, 2], [1, 3, 4], [-1, 0, 1]]) {
    await checkGradients(gpu, {
      name: `slice axis ${axis} ${start}+${length}`,
      inputs: [{ shape, data: rng.uniformArray(84) }],
      op: (t, [x]) => slice(t, x, axis, start, length),
      ref: ([x]) => sliceRef(x, shape, (axis + 3) % 3, start, length).data,
    });
  }
  await checkGradients(gpu, {
    name: "reshape",
    inputs: [{ shape: [6, 2], data: rng.uniformArray(12) }],
    op: (t, [x]) => mul(t, reshape(t, x, [3, 4]), reshape(t, x, [3, 4])),
    ref: ([x]) => x.map((v) => v * v),
  });
});

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
