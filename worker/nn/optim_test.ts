import { assertAllClose, assertEquals, assertThrows } from "../../testing/assert.ts";
import { adamStepRef, sgdStepRef } from "../gpu/kernels/optim_ref.ts";
import { Rng } from "../lib/mod.ts";
import { gpuTest } from "../gpu/_testing.ts";
import { Adam, Sgd } from "./optim.ts";
import { mul } from "./ops/elementwise.ts";
import { sum } from "./ops/reduce.ts";
import { Tape } from "./tape.ts";

const rng = new Rng(23);

gpuTest("Adam applies each group's learning rate and weight decay", async (gpu) => {
  const init = [rng.uniformArray(5), rng.uniformArray(3), rng.uniformArray(4)];
  const ps = init.map((d) => gpu.tensor(d, [d.length]));
  const opt = new Adam(gpu, [
    { params: [{ name: "a", tensor: ps[0] }, { name: "b", tensor: ps[1] }], lr: 0.1 },
    { params: [{ name: "c", tensor: ps[2] }], lr: 0.01, weightDecay: 0.5 },
  ], { beta1: 0.8, beta2: 0.9, eps: 1e-6 });
  const ref: ReturnType<typeof adamStepRef>[] = init.map((d) => ({
    param: Float64Array.from(d),
    m: new Float64Array(d.length),
    v: new Float64Array(d.length),
  }));
  for (let step = 1; step <= 3; step++) {
    const gs = init.map((d) => rng.uniformArray(d.length));
    const grads = gs.map((g) => gpu.tensor(g, [g.length]));
    opt.step(grads);
    ref.forEach((r, i) => {
      const o = { lr: i < 2 ? 0.1 : 0.01, beta1: 0.8, beta2: 0.9, eps: 1e-6, step };
      ref[i] = adamStepRef(r.param, gs[i], r.m, r.v, { ...o, weightDecay: i < 2 ? 0 : 0.5 });
    });
    for (const g of grads) g.dispose();
  }
  for (const [i, p] of ps.entries()) assertAllClose(await p.read(), ref[i].param, { atol: 1e-6 });
  assertEquals(opt.steps, 3);
  assertEquals(opt.metadata("opt."), { "opt.steps": "3" });
  const state = opt.state("opt.");
  assertEquals(state.map((s) => s.name), [
    "opt.m.a",
    "opt.m.b",
    "opt.m.c",
    "opt.v.a",
    "opt.v.b",
    "opt.v.c",
  ]);
  assertAllClose(await state[2].tensor.read(), ref[2].m, { atol: 1e-6 });
  assertAllClose(await state[5].tensor.read(), ref[2].v, { atol: 1e-6 });
  assertThrows(() => opt.step([ps[0]]), RangeError, "got 1 gradients for 3 parameters");
  assertThrows(() => opt.restoreMetadata({}, "opt."), Error, '"opt.steps"');
  opt.restoreMetadata({ "opt.steps": "7" }, "opt.");
  assertEquals(opt.steps, 7);
  opt.dispose();
  for (const p of ps) p.dispose();
});

gpuTest("SGD with and without momentum; minimize differentiates and steps", async (gpu) => {
  for (const momentum of [0, 0.9]) {
    const init = rng.uniformArray(6);
    const p = gpu.tensor(init, [6]);
    const opt = new Sgd(gpu, [{ name: "p", tensor: p }], { lr: 0.05, momentum, weightDecay: 0.1 });
    assertEquals(opt.state().length, momentum ? 1 : 0);
    let ref: ReturnType<typeof sgdStepRef> = {
      param: Float64Array.from(init),
      velocity: momentum ? new Float64Array(6) : null,
    };
    for (let step = 0; step < 3; step++) {
      const tape = new Tape(gpu);
      opt.minimize(tape, sum(tape, mul(tape, p, p)));
      tape.dispose();
      const grad = ref.param.map((v) => 2 * v);
      ref = sgdStepRef(ref.param, grad, ref.velocity, { lr: 0.05, momentum, weightDecay: 0.1 });
    }
    assertAllClose(await p.read(), ref.param, { atol: 1e-6 });
    opt.dispose();
    p.dispose();
  }
});

gpuTest("optimisers refuse a parameter listed twice", (gpu) => {
  const p = gpu.tensor([1], [1]);
  assertThrows(
    () => new Adam(gpu, [{ name: "p", tensor: p }, { name: "p", tensor: p }]),
    Error,
    'parameter "p" is listed twice',
  );
  p.dispose();
});
