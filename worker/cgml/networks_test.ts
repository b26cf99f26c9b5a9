import { assert, assertEquals, assertThrows } from "../../testing/assert.ts";
import { Rng } from "../lib/mod.ts";
import { gpuTest } from "../gpu/_testing.ts";
import type { Gpu } from "../gpu/mod.ts";
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

/**
 * Checks the gradient of Σ ŷ·r (r random: smooth in ŷ, unlike the L1 loss) with respect to the
 * parameter `name` of `model` against a directional finite difference.
 */
async function checkParameterGradient(
  gpu: Gpu,
  model: CgmlModel,
  name: string,
  shape: number[],
): Promise<void> {
  const param = model.parametersHG().find((p) => p.name === name);
  assert(param, `${name} is a trainable parameter`);
  assertEquals(param.tensor.shape, shape);
  const rng = new Rng(3);
  const B = 5;
  const x = gpu.tensor(rng.uniformArray(B * 128), [B, 128]);
  const y = gpu.tensor(rng.uniformArray(B * 64), [B, 64]);
  const dir = rng.uniformArray(param.tensor.size);
  const original = await param.tensor.read();
  const loss = async (s: number) => {
    param.tensor.write(original.map((v, i) => v + s * dir[i]));
    const tape = new Tape(gpu, { record: false, training: false });
    const e = ops.sum(
      tape,
      ops.mul(tape, model.nets.generate(tape, model.nets.encode(tape, x), null), y),
    );
    const v = (await e.read())[0];
    tape.dispose();
    return v;
  };
  const eps = 1e-3;
  const fd = (await loss(eps) - await loss(-eps)) / (2 * eps);
  param.tensor.write(original);
  const tape = new Tape(gpu, { training: false });
  const out = model.nets.generate(tape, model.nets.encode(tape, x), null);
  assertEquals(out.shape, [B, 64]);
  const [g] = tape.gradient(ops.sum(tape, ops.mul(tape, out, y)), [param.tensor]);
  const analytic = (await g.read()).reduce((s, v, i) => s + v * dir[i], 0);
  assert(Math.abs(analytic) > 1e-4, `directional derivative ${analytic} too small to test`);
  assert(
    Math.abs(fd - analytic) <= 0.05 * Math.abs(analytic) + 1e-4,
    `fd ${fd} vs analytic ${analytic}`,
  );
  for (const t of [x, y, g]) t.dispose();
  tape.dispose();
}

gpuTest("the dense lift maps the whole input to H and passes gradients", async (gpu) => {
  const model = new CgmlModel(gpu, makeConfig(CONV, { conv: { lift: 3 } }));
  await checkParameterGradient(gpu, model, "H.lift.weight", [128, 8 * 8 * 3]);
  model.dispose();
});

gpuTest("the full-resolution head sees its own input pixel and passes gradients", async (gpu) => {
  const model = new CgmlModel(gpu, makeConfig(CONV, { conv: { head: 3 } }));
  await checkParameterGradient(gpu, model, "G.head.weight", [3 + 2, 1]);
  await checkParameterGradient(gpu, model, "G.decoder.blocks.1.0.weight", [4, 4, 3, 4 * 2]);
  // With the decoder's channels weighted 0, pixel p's output is 0.7·x[p, 0] − 1.3·x[p, 1].
  model.parametersHG().find((p) => p.name === "G.head.weight")!.tensor
    .write(Float32Array.of(0, 0, 0, 0.7, -1.3));
  const x = new Rng(5).uniformArray(2 * 128);
  const t = gpu.tensor(x, [2, 128]);
  const tape = new Tape(gpu, { record: false, training: false });
  const out = await model.nets.generate(tape, model.nets.encode(tape, t), null).read();
  out.forEach((v, p) => {
    const want = 0.7 * x[2 * p] - 1.3 * x[2 * p + 1];
    assert(Math.abs(v - want) < 1e-5, `pixel ${p}: ${v} vs ${want}`);
  });
  tape.dispose();
  t.dispose();
  model.dispose();
});

Deno.test("a negative or fractional dense lift or head is rejected", () => {
  assertThrows(() => makeConfig(CONV, { conv: { lift: -1 } }), RangeError, "conv.lift");
  assertThrows(() => makeConfig(CONV, { conv: { lift: 1.5 } }), RangeError, "conv.lift");
  assertThrows(() => makeConfig(CONV, { conv: { head: -2 } }), RangeError, "conv.head");
  assertThrows(() => makeConfig(CONV, { conv: { head: 0.5 } }), RangeError, "conv.head");
});
