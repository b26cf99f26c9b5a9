import { assert, assertAllClose, assertEquals, assertThrows } from "../../../testing/assert.ts";
import { gpuTest } from "../_testing.ts";
import { assertDiffers, randomTensor, rngFor } from "./_testing.ts";
import {
  l1Loss,
  l1LossGrad,
  type L1Reduction,
  softmax,
  softmaxCrossEntropy,
  softmaxCrossEntropyGrad,
} from "./loss.ts";
import {
  l1LossGradRef,
  l1LossRef,
  softmaxCrossEntropyGradRef,
  softmaxCrossEntropyRef,
  softmaxRef,
} from "./loss_ref.ts";

gpuTest("l1Loss and its gradient match the reference for both reductions", async (gpu) => {
  const rng = rngFor("l1");
  for (const shape of [[1, 1], [7, 13], [33, 8], [33, 5, 5, 3], [5], [1, 3000]]) {
    const pred = randomTensor(gpu, rng, shape);
    const tData = rng.uniformArray(pred.data.length).map((
      v,
      i,
    ) => (i % 5 === 0 ? pred.data[i] : v));
    const target = gpu.tensor(tData, shape);
    for (const reduction of ["mean", "per_sample"] as L1Reduction[]) {
      const loss = l1Loss(pred.t, target, { reduction });
      const rows = reduction === "mean" ? 1 : shape[0];
      assertEquals(loss.shape, [rows]);
      const msg = `${reduction} [${shape}]`;
      assertAllClose(await loss.read(), l1LossRef(pred.data, tData, shape, reduction), { msg });
      const dData = rng.uniformArray(rows, 0.5, 2);
      const dLoss = gpu.tensor(dData, [rows]);
      const grad = l1LossGrad(pred.t, target, dLoss, { reduction });
      const want = l1LossGradRef(pred.data, tData, shape, dData, reduction);
      assertAllClose(await grad.read(), want, { atol: 1e-7, msg });
      for (const t of [loss, dLoss, grad]) t.dispose();
    }
    pred.t.dispose();
    target.dispose();
  }
});

gpuTest("per-sample l1 averages within samples, not across the batch", async (gpu) => {
  const rng = rngFor("l1-axis");
  const pred = randomTensor(gpu, rng, [9, 9]);
  const target = randomTensor(gpu, rng, [9, 9]);
  const loss = l1Loss(pred.t, target.t, { reduction: "per_sample" });
  const got = await loss.read();
  const transposed = (a: Float32Array) => a.map((_, i) => a[(i % 9) * 9 + Math.floor(i / 9)]);
  assertDiffers(
    got,
    l1LossRef(transposed(pred.data), transposed(target.data), [9, 9], "per_sample"),
  );
  assertThrows(
    () => l1Loss(pred.t, target.t, { reduction: "sum" as L1Reduction }),
    RangeError,
    "unknown reduction",
  );
  assertThrows(
    () => l1LossGrad(pred.t, target.t, loss, { reduction: "mean" }),
    RangeError,
    "dLoss",
  );
  for (const t of [pred.t, target.t, loss]) t.dispose();
});

gpuTest("softmax is stable and normalised per row", async (gpu) => {
  const rng = rngFor("softmax");
  for (const [rows, cls] of [[1, 1], [7, 13], [33, 10], [2, 1]]) {
    const data = rng.uniformArray(rows * cls, -5, 5).map((v, i) => v + (i % 3) * 300);
    const x = gpu.tensor(data, [rows, cls]);
    const y = softmax(x);
    assertAllClose(await y.read(), softmaxRef(data, rows, cls), { atol: 1e-6 });
    for (const t of [x, y]) t.dispose();
  }
  const x3 = randomTensor(gpu, rng, [2, 3, 5]);
  const y3 = softmax(x3.t);
  assertAllClose(await y3.read(), softmaxRef(x3.data, 6, 5), { atol: 1e-6 });
  for (const t of [x3.t, y3]) t.dispose();
});

gpuTest("softmax cross-entropy and its gradient match the reference", async (gpu) => {
  const rng = rngFor("sce");
  for (const [rows, cls] of [[1, 1], [1, 13], [7, 13], [33, 10], [300, 7]]) {
    const data = rng.uniformArray(rows * cls, -30, 30);
    const labels = Array.from({ length: rows }, () => rng.int(cls));
    const logits = gpu.tensor(data, [rows, cls]);
    const lab = gpu.tensor(labels, [rows]);
    const loss = softmaxCrossEntropy(logits, lab);
    assertEquals(loss.shape, [1]);
    const want = softmaxCrossEntropyRef(data, labels, rows, cls);
    const got = await loss.read();
    assertAllClose(got, [want], { atol: 1e-4, rtol: 1e-5, msg: `${rows}x${cls}` });
    if (cls > 1) {
      const shifted = labels.map((l) => (l + 1) % cls);
      assertDiffers(got, [softmaxCrossEntropyRef(data, shifted, rows, cls)]);
    }
    const dLoss = gpu.tensor([0.7], [1]);
    const grad = softmaxCrossEntropyGrad(logits, lab, dLoss);
    assertAllClose(await grad.read(), softmaxCrossEntropyGradRef(data, labels, rows, cls, 0.7), {
      atol: 1e-6,
      msg: `grad ${rows}x${cls}`,
    });
    for (const t of [logits, lab, loss, dLoss, grad]) t.dispose();
  }
});

gpuTest("invalid labels give NaN instead of a plausible loss", async (gpu) => {
  const logits = gpu.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  const dLoss = gpu.tensor([1], [1]);
  for (const bad of [3, -1, 0.5]) {
    const labels = gpu.tensor([0, bad], [2]);
    const loss = softmaxCrossEntropy(logits, labels);
    assert(Number.isNaN((await loss.read())[0]), `label ${bad}`);
    const grad = softmaxCrossEntropyGrad(logits, labels, dLoss);
    const g = await grad.read();
    assert(g.slice(0, 3).every(Number.isFinite) && g.slice(3).every(Number.isNaN));
    for (const t of [labels, loss, grad]) t.dispose();
  }
  assertThrows(() => softmaxCrossEntropy(logits, dLoss), RangeError, "must be [B]");
  for (const t of [logits, dLoss]) t.dispose();
});
