import { assert, assertEquals, assertThrows } from "../../testing/assert.ts";
import { Rng } from "../lib/mod.ts";
import { gpuTest } from "../gpu/_testing.ts";
import { ops, Tape } from "../nn/mod.ts";
import { type CgmlConfigInput, makeConfig } from "./config.ts";
import { CgmlModel } from "./model.ts";

const CONV: CgmlConfigInput = {
  method: "l1",
  family: "conv",
  inDim: 128,
  outDim: 64,
  conv: { inShape: [8, 8, 2], outShape: [8, 8, 1], channels: [4, 8], latentChannels: 2 },
};

gpuTest("the conv family has no dense lift by default", (gpu) => {
  const model = new CgmlModel(gpu, makeConfig(CONV));
  const names = model.parametersHG().map((p) => p.name);
  assert(names.every((n) => !n.includes("lift")), names.join(", "));
  model.dispose();
});

gpuTest("the dense lift maps the whole input to H and passes gradients", async (gpu) => {
  const model = new CgmlModel(gpu, makeConfig(CONV, { conv: { lift: 3 } }));
  const lift = model.parametersHG().find((p) => p.name === "H.lift.weight");
  assert(lift, "H.lift.weight is a trainable parameter");
  assertEquals(lift.tensor.shape, [128, 8 * 8 * 3]);
  const rng = new Rng(3);
  const B = 5;
  const x = gpu.tensor(rng.uniformArray(B * 128), [B, 128]);
  const y = gpu.tensor(rng.uniformArray(B * 64), [B, 64]);
  const dir = rng.uniformArray(128 * 8 * 8 * 3);
  const original = await lift.tensor.read();
  const loss = async (s: number) => {
    lift.tensor.write(original.map((v, i) => v + s * dir[i]));
    const tape = new Tape(gpu, { record: false, training: false });
    const e = ops.l1Loss(tape, model.nets.generate(tape, model.nets.encode(tape, x), null), y);
    const v = (await e.read())[0];
    tape.dispose();
    return v;
  };
  const eps = 1e-3;
  const fd = (await loss(eps) - await loss(-eps)) / (2 * eps);
  lift.tensor.write(original);
  const tape = new Tape(gpu, { training: false });
  const out = model.nets.generate(tape, model.nets.encode(tape, x), null);
  assertEquals(out.shape, [B, 64]);
  const [g] = tape.gradient(ops.l1Loss(tape, out, y), [lift.tensor]);
  const analytic = (await g.read()).reduce((s, v, i) => s + v * dir[i], 0);
  assert(Math.abs(analytic) > 1e-4, `directional derivative ${analytic} too small to test`);
  assert(
    Math.abs(fd - analytic) <= 0.05 * Math.abs(analytic) + 1e-4,
    `fd ${fd} vs analytic ${analytic}`,
  );
  for (const t of [x, y, g]) t.dispose();
  tape.dispose();
  model.dispose();
});

Deno.test("a negative or fractional dense lift is rejected", () => {
  assertThrows(() => makeConfig(CONV, { conv: { lift: -1 } }), RangeError, "conv.lift");
  assertThrows(() => makeConfig(CONV, { conv: { lift: 1.5 } }), RangeError, "conv.lift");
});
