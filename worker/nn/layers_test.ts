import { assertAllClose, assertEquals, assertNotEquals } from "../../testing/assert.ts";
import type { Gpu } from "../gpu/device.ts";
import { Rng } from "../lib/mod.ts";
import { gpuTest } from "../gpu/_testing.ts";
import { checkModule, layerRef } from "./_ref.ts";
import { Activation, Conv2d, ConvTranspose2d, Linear, Scale } from "./layers.ts";
import type { Layer } from "./module.ts";
import { mlp, Sequential } from "./sequential.ts";
import { SpectralNorm } from "./spectral_norm.ts";
import { Tape } from "./tape.ts";

const rng = new Rng(41);

async function checkLayer(
  gpu: Gpu,
  name: string,
  layer: Layer,
  shape: number[],
  training = true,
) {
  await checkModule(gpu, {
    name,
    module: layer,
    inputs: [{ shape, data: rng.uniformArray(shape.reduce((a, b) => a * b, 1)) }],
    forward: (tape, [x]) => layer.forward(tape, x),
    ref: ([x], p) => layerRef(layer, x, p),
    training,
  });
  layer.dispose();
}

gpuTest("Linear: gradients w.r.t. input, weight and bias", async (gpu) => {
  await checkLayer(gpu, "linear", new Linear(gpu, rng, 7, 5), [33, 7]);
  await checkLayer(gpu, "linear no bias", new Linear(gpu, rng, 3, 1, { bias: false }), [1, 3]);
});

gpuTest("Conv2d: gradients for strides and paddings", async (gpu) => {
  for (const [k, stride, padding] of [[3, 1, 1], [4, 2, 1], [1, 1, 0], [3, 2, 0]]) {
    const conv = new Conv2d(gpu, rng, {
      inChannels: 3,
      outChannels: 4,
      kernel: k,
      stride,
      padding,
    });
    await checkLayer(gpu, `conv2d k${k} s${stride} p${padding}`, conv, [2, 7, 6, 3]);
  }
});

gpuTest("ConvTranspose2d: gradients for strides, paddings and output padding", async (gpu) => {
  for (const [k, stride, padding, outputPadding] of [[4, 2, 1, 0], [3, 2, 1, 1], [3, 1, 1, 0]]) {
    const conv = new ConvTranspose2d(gpu, rng, {
      inChannels: 3,
      outChannels: 2,
      kernel: k,
      stride,
      padding,
      outputPadding,
    });
    await checkLayer(gpu, `convTranspose2d k${k} s${stride} p${padding} op${outputPadding}`, conv, [
      2,
      4,
      5,
      3,
    ]);
  }
});

gpuTest(
  "SpectralNorm: gradients through σ, training and frozen, with an output scale",
  async (gpu) => {
    for (const training of [true, false]) {
      const lin = new SpectralNorm(gpu, rng, new Linear(gpu, rng, 6, 4), { scale: 3 });
      await checkLayer(gpu, `spectral linear training=${training}`, lin, [5, 6], training);
      const conv = new SpectralNorm(
        gpu,
        rng,
        new Conv2d(gpu, rng, { inChannels: 2, outChannels: 3, kernel: 4, stride: 2, padding: 1 }),
      );
      await checkLayer(gpu, `spectral conv training=${training}`, conv, [2, 6, 6, 2], training);
      const convT = new SpectralNorm(
        gpu,
        rng,
        new ConvTranspose2d(gpu, rng, {
          inChannels: 3,
          outChannels: 2,
          kernel: 4,
          stride: 2,
          padding: 1,
        }),
        { scale: 0.5 },
      );
      await checkLayer(gpu, `spectral convT training=${training}`, convT, [1, 3, 3, 3], training);
    }
  },
);

gpuTest("SpectralNorm keeps σ(L·W/σ) at L and persists u, v as state", async (gpu) => {
  const sn = new SpectralNorm(gpu, rng, new Linear(gpu, rng, 12, 8), { scale: 2 });
  assertEquals(sn.state().map((s) => s.name), ["layer.weight", "layer.bias", "u", "v"]);
  assertEquals(sn.parameters().map((s) => s.name), ["layer.weight", "layer.bias"]);
  const w = Float64Array.from(await sn.layer.weight.read());
  // The largest singular value of the full weight, by many power steps on the CPU.
  let v = new Float64Array(8).fill(1);
  let sigma = 0;
  for (let it = 0; it < 500; it++) {
    const wv = new Float64Array(12);
    for (let i = 0; i < 12; i++) for (let j = 0; j < 8; j++) wv[i] += w[i * 8 + j] * v[j];
    const wtwv = new Float64Array(8);
    for (let i = 0; i < 12; i++) for (let j = 0; j < 8; j++) wtwv[j] += w[i * 8 + j] * wv[i];
    const n = Math.hypot(...wtwv);
    sigma = Math.sqrt(n);
    v = wtwv.map((e) => e / n);
  }
  const tape = new Tape(gpu);
  const wsn = await sn.weight(tape).read();
  assertAllClose(Array.from(wsn), Array.from(w, (e) => (2 * e) / sigma), {
    atol: 2e-3,
    rtol: 2e-2,
  });
  tape.dispose();
  sn.dispose();
});

gpuTest(
  "Sequential MLP: gradients through every layer, LeakyReLU and output scale",
  async (gpu) => {
    const net = mlp(gpu, rng, [3, 8, 8, 2], { outputScale: 4 });
    await checkLayer(gpu, "mlp", net, [9, 3]);
    const mixed = new Sequential(
      new Linear(gpu, rng, 4, 6),
      new Activation("tanh"),
      new Linear(gpu, rng, 6, 6),
      new Activation("sigmoid"),
      new Linear(gpu, rng, 6, 3),
      new Activation("softplus"),
      new Scale(-2),
    );
    await checkLayer(gpu, "mixed activations", mixed, [5, 4]);
  },
);

gpuTest("initialisation is deterministic per seed and named by position", async (gpu) => {
  const read = async (seed: number) => {
    const net = mlp(gpu, new Rng(seed), [2, 3, 1]);
    const names = net.parameters().map((p) => p.name);
    const values = await Promise.all(net.parameters().map((p) => p.tensor.read()));
    net.dispose();
    return { names, values };
  };
  const [a, b, c] = [await read(5), await read(5), await read(6)];
  assertEquals(a.names, ["0.weight", "0.bias", "2.weight", "2.bias"]);
  assertEquals(a.values, b.values);
  assertNotEquals(a.values[0], c.values[0]);
});
