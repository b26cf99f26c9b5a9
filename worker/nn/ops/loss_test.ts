import { l1LossRef, softmaxCrossEntropyRef } from "../../gpu/kernels/loss_ref.ts";
import { Rng } from "../../lib/mod.ts";
import { gpuTest } from "../../gpu/_testing.ts";
import { awayFromZero, checkGradients } from "../_testing.ts";
import { l1Loss, softmaxCrossEntropy } from "./loss.ts";

const rng = new Rng(19);

gpuTest("l1Loss: gradients w.r.t. prediction and target, mean and per sample", async (gpu) => {
  for (const shape of [[1, 1], [5, 3, 2], [33, 7]]) {
    for (const reduction of ["mean", "per_sample"] as const) {
      const n = shape.reduce((a, b) => a * b, 1);
      const target = rng.uniformArray(n);
      const pred = awayFromZero(rng, n, 0.02).map((d, i) => target[i] + d);
      await checkGradients(gpu, {
        name: `l1Loss [${shape}] ${reduction}`,
        inputs: [{ shape, data: pred }, { shape, data: target }],
        op: (t, [p, y]) => l1Loss(t, p, y, reduction),
        ref: ([p, y]) => l1LossRef(p, y, shape, reduction),
      });
    }
  }
});

gpuTest("softmaxCrossEntropy: gradient w.r.t. the logits", async (gpu) => {
  for (const [rows, cls] of [[1, 2], [7, 13], [33, 5]]) {
    const labels = Array.from({ length: rows }, () => rng.int(cls));
    await checkGradients(gpu, {
      name: `softmaxCrossEntropy ${rows}x${cls}`,
      inputs: [
        { shape: [rows, cls], data: rng.uniformArray(rows * cls, -3, 3) },
        { shape: [rows], data: labels },
      ],
      wrt: [0],
      op: (t, [logits, y]) => softmaxCrossEntropy(t, logits, y),
      ref: ([logits]) => [softmaxCrossEntropyRef(logits, labels, rows, cls)],
    });
  }
});
