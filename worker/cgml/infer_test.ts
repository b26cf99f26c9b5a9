import { assert, assertAllClose, assertEquals } from "../../testing/assert.ts";
import { Rng } from "../lib/mod.ts";
import { gpuTest } from "../gpu/_testing.ts";
import { makeConfig } from "./config.ts";
import { predict, predictNamed } from "./infer.ts";
import { CgmlModel } from "./model.ts";

const small = { H: { width: 8 }, G: { width: 8 }, Z: { width: 8 }, embedDim: 4, latentDim: 3 };

gpuTest("predict returns k draws per input, the same in one batch or in chunks", async (gpu) => {
  const model = new CgmlModel(gpu, makeConfig(small));
  const inputs = Float32Array.of(-0.5, 0, 0.25, 0.9, 1);
  const one = await predict(model, inputs, { draws: 4, rng: new Rng(1) });
  const chunked = await predict(model, inputs, { draws: 4, rng: new Rng(1), chunkRows: 8 });
  assertEquals([one.draws, one.outputs.length], [4, 5 * 4 * 3]);
  assertAllClose(chunked.outputs, one.outputs, { atol: 1e-6 });
  const other = await predict(model, inputs, { draws: 4, rng: new Rng(2) });
  assert(other.outputs.some((v, i) => Math.abs(v - one.outputs[i]) > 1e-4), "z₀ should matter");
  model.dispose();
});

gpuTest("the ablations differ from cGML and the L1 regressor ignores the draws", async (gpu) => {
  const model = new CgmlModel(gpu, makeConfig(small));
  const inputs = Float32Array.of(0.3, -0.7);
  const run = (name: "cgml" | "cgml-no-rho" | "no-move") =>
    predictNamed(name, model, inputs, { draws: 3, rng: new Rng(9) });
  const [a, b, c] = [await run("cgml"), await run("cgml-no-rho"), await run("no-move")];
  const differ = (p: Float32Array, q: Float32Array) => p.some((v, i) => Math.abs(v - q[i]) > 1e-5);
  assert(
    differ(a.outputs, b.outputs) && differ(a.outputs, c.outputs),
    "ablations should change outputs",
  );
  const zeroSteps = await predict(model, inputs, { draws: 3, rng: new Rng(9), steps: 0 });
  assertAllClose(zeroSteps.outputs, c.outputs, { atol: 1e-6 });
  model.dispose();
  const l1 = new CgmlModel(gpu, makeConfig(small, { method: "l1" }));
  const out = await predictNamed("l1", l1, inputs, { draws: 3, rng: new Rng(9) });
  assertAllClose(out.outputs.subarray(0, 3), out.outputs.subarray(3, 6));
  l1.dispose();
});

gpuTest(
  "a saved model loads with its configuration and gives the same predictions",
  async (gpu) => {
    const model = new CgmlModel(
      gpu,
      makeConfig(small, { G: { spectralNorm: true, outputScale: 10 } }),
    );
    const path = await Deno.makeTempFile({ suffix: ".safetensors" });
    await model.save(path);
    const loaded = await CgmlModel.load(gpu, path);
    assertEquals(loaded.config, model.config);
    const inputs = Float32Array.of(0.1, 0.2);
    const a = await predict(model, inputs, { draws: 2, rng: new Rng(3) });
    const b = await predict(loaded, inputs, { draws: 2, rng: new Rng(3) });
    assertAllClose(b.outputs, a.outputs, { atol: 1e-6 });
    model.dispose();
    loaded.dispose();
    await Deno.remove(path);
  },
);
