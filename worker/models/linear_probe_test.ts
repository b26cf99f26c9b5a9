import { assert, assertAlmostEquals, assertEquals } from "../../testing/assert.ts";
import { classifierLinear } from "../../pipelines/mod.ts";
import type { ClassifierMetrics } from "../eval/mod.ts";
import type { Gpu } from "../gpu/mod.ts";
import { Rng } from "../lib/mod.ts";
import { gpuTest } from "../gpu/_testing.ts";
import {
  chooseL2,
  predictLinear,
  standardize,
  stratifiedFolds,
  trainLinear,
} from "./linear_fit.ts";
import { fitLinearProbe, LinearProbe } from "./linear_probe.ts";

Deno.test("stratified folds partition the rows and spread every class evenly", () => {
  const rows = Array.from({ length: 23 }, (_, i) => i + 100);
  const label: number[] = [];
  rows.forEach((r, i) => label[r] = i < 11 ? 0 : i < 18 ? 1 : 2);
  const folds = stratifiedFolds(rows, label, 4, new Rng(3));
  assertEquals(folds.flat().sort((a, b) => a - b), rows);
  const sizes = folds.map((f) => f.length);
  assert(Math.max(...sizes) - Math.min(...sizes) <= 1, `fold sizes ${sizes}`);
  for (const c of [0, 1, 2]) {
    const counts = folds.map((f) => f.filter((r) => label[r] === c).length);
    assert(Math.max(...counts) - Math.min(...counts) <= 1, `class ${c}: ${counts}`);
  }
  assertEquals(stratifiedFolds(rows, label, 4, new Rng(3)), folds);
});

Deno.test("chooseL2 takes the best accuracy and, on a tie, the larger penalty", () => {
  assertEquals(chooseL2([0.1, 0.01, 0.001], [0.8, 0.9, 0.85]), 0.01);
  assertEquals(chooseL2([0.001, 0.1, 0.01], [0.9, 0.9, 0.9]), 0.1);
  assertEquals(chooseL2([0.5], [0]), 0.5);
});

Deno.test("standardize uses the statistics of the fit rows only", () => {
  // rows 0, 1 fit (column 0: mean 2, std 1; column 1: constant → std 1), row 2 is held out
  const x = Float32Array.of(1, 5, 3, 5, 100, -7);
  assertEquals([...standardize(x, 2, [0, 1])], [-1, 0, 1, 0, 98, -12]);
  assertEquals([...x], [1, 5, 3, 5, 100, -7]);
});

/** Three Gaussian blobs in 3-D (overlapping, so the optimum is finite even without a penalty). */
function blobs(n: number, seed: number): { x: Float32Array; label: number[] } {
  const rng = new Rng(seed);
  const centres = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  const label = Array.from({ length: n }, (_, i) => i % 3);
  const x = new Float32Array(n * 3);
  label.forEach((c, i) => {
    for (let j = 0; j < 3; j++) x[i * 3 + j] = centres[c][j] + rng.normal(0, 0.6);
  });
  return { x, label };
}

gpuTest(
  "trainLinear minimises mean cross-entropy + λ/2·‖W‖², the bias unpenalised",
  async (gpu) => {
    const { x, label } = blobs(60, 1);
    const rows = Array.from({ length: 60 }, (_, i) => i);
    const l2 = 0.5;
    const layer = trainLinear(gpu, new Rng(2), x, 3, label, 3, rows, {
      epochs: 600,
      batch: 0,
      lr: 0.05,
      weight_decay: 0,
      l2,
    });
    const W = await layer.weight.read();
    const b = await layer.bias!.read();
    // Stationarity in float64: ∂CE/∂W + λW = 0 and ∂CE/∂b = 0.
    const gW = new Float64Array(9), gb = new Float64Array(3);
    for (const r of rows) {
      const z = [0, 1, 2].map((c) =>
        b[c] + [0, 1, 2].reduce((s, j) => s + x[r * 3 + j] * W[j * 3 + c], 0)
      );
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      const se = e.reduce((a, v) => a + v, 0);
      for (let c = 0; c < 3; c++) {
        const d = (e[c] / se - (c === label[r] ? 1 : 0)) / rows.length;
        gb[c] += d;
        for (let j = 0; j < 3; j++) gW[j * 3 + c] += x[r * 3 + j] * d;
      }
    }
    const wNorm = Math.hypot(...W);
    assert(wNorm > 0.3, `weights ${wNorm} should not vanish`);
    for (let i = 0; i < 9; i++) assertAlmostEquals(gW[i] + l2 * W[i], 0, 2e-3 * wNorm);
    for (let c = 0; c < 3; c++) assertAlmostEquals(gb[c], 0, 2e-3);
    const pred = await predictLinear(gpu, layer, x, 3, 3, rows);
    const hits = pred.filter((p, i) => p === label[i]).length;
    assert(hits >= 40, `train hits ${hits}/60 (chance 20)`);
    layer.dispose();

    // A larger penalty gives smaller weights.
    const strong = trainLinear(gpu, new Rng(2), x, 3, label, 3, rows, {
      epochs: 300,
      batch: 0,
      lr: 0.02,
      weight_decay: 0,
      l2: 20,
    });
    assert(Math.hypot(...await strong.weight.read()) < wNorm / 4);
    strong.dispose();
  },
);

/** Fits the probe on features `x` with `split` and `label`, with the stage's params. */
async function fit(
  gpu: Gpu,
  x: Float32Array,
  split: string[],
  label: number[],
  params: Record<string, unknown>,
): Promise<ClassifierMetrics> {
  const table = { split, labels: label.map((c) => `c${c}`), dim: x.length / label.length, x };
  const { probe, metrics } = await fitLinearProbe(
    gpu,
    table,
    classifierLinear.params.parse(params),
  );
  probe.dispose();
  return metrics;
}

gpuTest(
  "classifier.linear chooses l2 on held-out train rows only (k-fold or one split)",
  async (gpu) => {
    const { x, label } = blobs(48, 4);
    const split = label.map((_, i) => i < 36 ? "train" : "test");
    const params = { l2: [3, 0.01], folds: 3, epochs: 60, batch: 0, lr: 0.05, weight_decay: 0 };
    const a = await fit(gpu, x, split, label, params);
    // The test rows scrambled: the selection (and its accuracies) must not move.
    const scrambled = x.slice();
    for (let i = 36 * 3; i < scrambled.length; i++) scrambled[i] = 50 * Math.sin(i);
    const b = await fit(gpu, scrambled, split, label, params);
    assert(a.selection !== undefined);
    assertEquals([a.selection.folds, a.selection.rounds], [3, 3]);
    assertEquals(a.selection.l2, [3, 0.01]);
    // every train row held out once
    for (const acc of a.selection.accuracy) {
      assertAlmostEquals(
        acc * 36,
        Math.round(acc * 36),
        1e-9,
      );
    }
    assertEquals(b.selection, a.selection);
    assertEquals(b.l2, a.l2);
    assertEquals(a.l2, chooseL2(a.selection.l2, a.selection.accuracy));
    assertEquals(a.train_accuracy, b.train_accuracy);
    assertEquals([a.train, a.test, a.features], [36, 12, 3]);
    assert(a.accuracy > 0.6, `test accuracy ${a.accuracy}`);

    // rounds = 1: a single validation split (one fold of 12 rows), still blind to the test rows.
    const one = await fit(gpu, x, split, label, { ...params, rounds: 1 });
    const oneScrambled = await fit(gpu, scrambled, split, label, { ...params, rounds: 1 });
    assert(one.selection !== undefined);
    assertEquals([one.selection.folds, one.selection.rounds], [3, 1]);
    for (const acc of one.selection.accuracy) {
      assertAlmostEquals(
        acc * 12,
        Math.round(acc * 12),
        1e-9,
      );
    }
    assertEquals(oneScrambled.selection, one.selection);
    assertEquals(oneScrambled.l2, one.l2);

    // One candidate: no cross-validation.
    const single = await fit(gpu, x, split, label, { ...params, l2: [0.01] });
    assertEquals(single.selection, undefined);
    assertEquals(single.l2, 0.01);
  },
);

gpuTest("a probe's artifact rebuilds it: same classes for new features", async (gpu) => {
  const { x, label } = blobs(30, 6);
  const split = label.map((_, i) => i < 24 ? "train" : "test");
  const table = { split, labels: label.map((c) => `c${c}`), dim: 3, x };
  const params = classifierLinear.params.parse({ epochs: 50, batch: 0, lr: 0.05 });
  const { probe, metrics } = await fitLinearProbe(gpu, table, params);
  const copy = LinearProbe.decode(gpu, await probe.encode());
  try {
    assertEquals(copy.card, probe.card);
    assertEquals(copy.card.classes, ["c0", "c1", "c2"]);
    const fresh = x.map((v) => v * 1.1);
    assertEquals(await copy.predict(fresh), await probe.predict(fresh));
    const test = Array.from({ length: 6 }, (_, i) => 24 + i);
    const hits = (await probe.predict(x)).filter((c, i) => i >= 24 && c === label[i]).length;
    assertAlmostEquals(hits / test.length, metrics.accuracy, 1e-9);
  } finally {
    copy.dispose();
    probe.dispose();
  }
});
