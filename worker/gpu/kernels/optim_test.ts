import { assertAllClose, assertThrows } from "../../../testing/assert.ts";
import { AWKWARD_SIZES, gpuTest } from "../_testing.ts";
import { assertDiffers, randomTensor, rngFor } from "./_testing.ts";
import { adamStep, sgdStep } from "./optim.ts";
import { adamStepRef, sgdStepRef } from "./optim_ref.ts";

gpuTest("adamStep updates param and moments in place over several steps", async (gpu) => {
  const rng = rngFor("adam");
  for (const n of AWKWARD_SIZES) {
    for (const weightDecay of [0, 0.1]) {
      const p = randomTensor(gpu, rng, [n]);
      const m = gpu.zeros([n]);
      const v = gpu.zeros([n]);
      let want: ReturnType<typeof adamStepRef> = {
        param: Float64Array.from(p.data),
        m: new Float64Array(n),
        v: new Float64Array(n),
      };
      for (let step = 1; step <= 3; step++) {
        const g = randomTensor(gpu, rng, [n]);
        const o = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, step, weightDecay };
        adamStep(p.t, g.t, m, v, o);
        want = adamStepRef(want.param, g.data, want.m, want.v, o);
        g.t.dispose();
      }
      const msg = `n=${n} wd=${weightDecay}`;
      assertAllClose(await p.t.read(), want.param, { atol: 1e-6, msg });
      assertAllClose(await m.read(), want.m, { atol: 1e-6, msg });
      assertAllClose(await v.read(), want.v, { atol: 1e-7, msg });
      if (n > 1) assertDiffers(await p.t.read(), p.data, 1e-3);
      for (const t of [p.t, m, v]) t.dispose();
    }
  }
});

gpuTest("sgdStep with and without momentum matches the reference", async (gpu) => {
  const rng = rngFor("sgd");
  for (const n of [1, 7, 33, 65]) {
    for (const momentum of [0, 0.9]) {
      const p = randomTensor(gpu, rng, [n, 3]);
      const vel = gpu.zeros([n, 3]);
      let want: { param: Float64Array; velocity: Float64Array } = {
        param: Float64Array.from(p.data),
        velocity: new Float64Array(n * 3),
      };
      for (let step = 0; step < 3; step++) {
        const g = randomTensor(gpu, rng, [n, 3]);
        const o = { lr: 0.1, momentum, weightDecay: 0.01 };
        sgdStep(p.t, g.t, momentum ? vel : null, o);
        const r = sgdStepRef(want.param, g.data, want.velocity, o);
        want = { param: r.param, velocity: r.velocity ?? want.velocity };
        g.t.dispose();
      }
      assertAllClose(await p.t.read(), want.param, { atol: 1e-6, msg: `n=${n} mu=${momentum}` });
      if (momentum) assertAllClose(await vel.read(), want.velocity, { atol: 1e-6 });
      for (const t of [p.t, vel]) t.dispose();
    }
  }
});

gpuTest("optimizer steps validate their operands", (gpu) => {
  const p = gpu.zeros([4]);
  const g = gpu.zeros([4]);
  const o = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 0 };
  gpu.scope(() =>
    assertThrows(() => adamStep(p, g, gpu.zeros([4]), gpu.zeros([4]), o), RangeError, "step 0")
  );
  gpu.scope(() =>
    assertThrows(() => adamStep(p, g, p, gpu.zeros([4]), { ...o, step: 1 }), RangeError, "shares")
  );
  assertThrows(() => sgdStep(p, g, null, { lr: 1, momentum: 0.9 }), RangeError, "velocity");
  gpu.scope(() =>
    assertThrows(() => sgdStep(p, gpu.zeros([5]), null, { lr: 1 }), RangeError, "must be equal")
  );
  for (const t of [p, g]) t.dispose();
});
