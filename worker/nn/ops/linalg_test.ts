import { assertThrows } from "../../../testing/assert.ts";
import { binaryRef } from "../../gpu/kernels/elementwise_ref.ts";
import { matmulRef } from "../../gpu/kernels/matmul_ref.ts";
import { Rng } from "../../lib/mod.ts";
import { gpuTest } from "../../gpu/_testing.ts";
import { checkGradients } from "../_testing.ts";
import { Tape } from "../tape.ts";
import { linear, matmul } from "./linalg.ts";

const rng = new Rng(11);

gpuTest("matmul: gradients for every transpose combination, plain and batched", async (gpu) => {
  for (const [m, k, n, batch] of [[7, 5, 13, 0], [7, 5, 13, 3], [8, 9, 8, 0], [4, 6, 8, 2]]) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const lead = batch ? [batch] : [];
        const sa = [...lead, ...(transA ? [k, m] : [m, k])];
        const sb = [...lead, ...(transB ? [n, k] : [k, n])];
        await checkGradients(gpu, {
          name: `matmul ${m}x${k}x${n} batch=${batch} transA=${transA} transB=${transB}`,
          inputs: [
            { shape: sa, data: rng.uniformArray(size(sa)) },
            { shape: sb, data: rng.uniformArray(size(sb)) },
          ],
          op: (t, [a, b]) => matmul(t, a, b, { transA, transB }),
          ref: ([a, b]) => matmulRef(a, sa, b, sb, { transA, transB }),
        });
      }
    }
  }
});

gpuTest("matmul: batched a with a shared b, gradients of both", async (gpu) => {
  const sa = [4, 3, 6];
  for (const transB of [false, true]) {
    const sb = transB ? [5, 6] : [6, 5];
    await checkGradients(gpu, {
      name: `matmul shared b transB=${transB}`,
      inputs: [
        { shape: sa, data: rng.uniformArray(size(sa)) },
        { shape: sb, data: rng.uniformArray(size(sb)) },
      ],
      op: (t, [a, b]) => matmul(t, a, b, { transB }),
      ref: ([a, b]) => matmulRef(a, sa, b, sb, { transB }),
    });
  }
  const tape = new Tape(gpu);
  const a = gpu.empty([2, 3, 4]);
  const b = gpu.empty([3, 5]);
  assertThrows(() => matmul(tape, a, b, { transA: true }), RangeError, "transA");
  tape.dispose();
  a.dispose();
  b.dispose();
});

gpuTest("linear: gradients w.r.t. input, weight and bias (2-D and 3-D inputs)", async (gpu) => {
  for (const sx of [[33, 7], [2, 5, 7]]) {
    const [fin, fout] = [7, 4];
    const rows = size(sx) / fin;
    await checkGradients(gpu, {
      name: `linear [${sx}]`,
      inputs: [
        { shape: sx, data: rng.uniformArray(size(sx)) },
        { shape: [fin, fout], data: rng.uniformArray(fin * fout) },
        { shape: [fout], data: rng.uniformArray(fout) },
      ],
      op: (t, [x, w, b]) => linear(t, x, w, b),
      ref: ([x, w, b]) =>
        binaryRef("add", matmulRef(x, [rows, fin], w, [fin, fout]), [rows, fout], b, [fout]).data,
    });
  }
});

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
