import { assertAllClose, assertThrows } from "../../../testing/assert.ts";
import { Rng } from "../../lib/mod.ts";
import { AWKWARD_SIZES, gpuTest } from "../_testing.ts";
import { accumulate, gatherRows, latentMove, latentStep, scatterRows } from "./latent.ts";
import { latentMoveRef, latentStepRef } from "./latent_ref.ts";

gpuTest("latentStep matches its CPU reference on awkward shapes", async (gpu) => {
  const rng = new Rng(11);
  for (const rows of AWKWARD_SIZES) {
    for (const d of [2, 5, 8]) {
      const z = rng.uniformArray(rows * d);
      const g = rng.uniformArray(rows * d);
      const zt = gpu.tensor(z, [rows, d]);
      const gt = gpu.tensor(g, [rows, d]);
      const { next, target } = latentStep(gpu, zt, gt, 0.7, 1.5);
      const ref = latentStepRef(z, g, rows, d, 0.7, 1.5);
      assertAllClose(await next.read(), ref.next, { atol: 1e-5 });
      assertAllClose(await target.read(), ref.target, { atol: 1e-5 });
      for (const t of [zt, gt, next, target]) t.dispose();
    }
  }
});

gpuTest("latentMove matches its CPU reference with and without momentum", async (gpu) => {
  const rng = new Rng(12);
  for (const rows of AWKWARD_SIZES) {
    const d = 4;
    const z = rng.uniformArray(rows * d);
    const out = rng.uniformArray(rows * (d + 1), 0, 1);
    const zt = gpu.tensor(z, [rows, d]);
    const ot = gpu.tensor(out, [rows, d + 1]);
    for (const momentum of [true, false]) {
      const next = latentMove(gpu, zt, ot, momentum);
      assertAllClose(await next.read(), latentMoveRef(z, out, rows, d, momentum), { atol: 1e-5 });
      next.dispose();
    }
    zt.dispose();
    ot.dispose();
  }
});

gpuTest("accumulate adds column means into slots and validates its arguments", async (gpu) => {
  const acc = gpu.zeros([3]);
  const v = gpu.tensor([2.5], [1]);
  const m = gpu.tensor([1, 2, 3, 4, 5, 6], [3, 2]);
  accumulate(gpu, acc, 1, v);
  accumulate(gpu, acc, 1, v);
  accumulate(gpu, acc, 2, m, 1);
  accumulate(gpu, acc, 0, m.reshape([6]));
  assertAllClose(await acc.read(), [3.5, 5, 4]);
  assertThrows(() => accumulate(gpu, acc, 3, v), RangeError, "slot 3");
  assertThrows(() => accumulate(gpu, acc, 0, m, 2), RangeError, "column 2");
  m.dispose();
  const row = acc.reshape([1, 3]);
  assertThrows(() => latentMove(gpu, row, row, true), RangeError, "must be [1, 4]");
  row.dispose();
  acc.dispose();
  v.dispose();
});

gpuTest("gatherRows and scatterRows move minibatch rows in and out of a table", async (gpu) => {
  const table = gpu.tensor(Float32Array.from({ length: 12 }, (_, i) => i), [4, 3]);
  const idx = gpu.tensor([3, 0], [2]);
  const rows = gatherRows(gpu, table, idx);
  assertAllClose(await rows.read(), [9, 10, 11, 0, 1, 2]);
  const fresh = gpu.tensor([-1, -2, -3, -4, -5, -6], [2, 3]);
  scatterRows(gpu, table, idx, fresh);
  assertAllClose(await table.read(), [-4, -5, -6, 3, 4, 5, 6, 7, 8, -1, -2, -3]);
  for (const t of [table, idx, rows, fresh]) t.dispose();
});
