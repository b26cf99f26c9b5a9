import { assert, assertAllClose } from "../../testing/assert.ts";
import type { Gpu } from "../gpu/device.ts";
import { fill } from "../gpu/kernels/mod.ts";
import { Rng } from "../lib/mod.ts";
import { gpuTest } from "../gpu/_testing.ts";
import { FusedMlp, ops, Tape } from "../nn/mod.ts";
import { type CgmlConfig, makeConfig } from "./config.ts";
import { fusedMlpRef } from "../gpu/kernels/fused_mlp_ref.ts";
import { CgmlModel } from "./model.ts";
import { sampleSphere } from "./sphere.ts";

/** A network of the MLP family as a float64 function (weights read back from the GPU). */
async function reference(net: FusedMlp): Promise<(x: number[]) => number[]> {
  const w = await net.params.read();
  const u = net.u ? await net.u.read() : undefined;
  const v = net.v ? await net.v.read() : undefined;
  const o = { slope: net.slope, scale: net.outputScale, softplusLast: net.softplusLast, u, v };
  return (x) => Array.from(fusedMlpRef(net.sizes, w, x, 1, o));
}

async function checkLatentGradient(
  gpu: Gpu,
  config: CgmlConfig,
) {
  const model = new CgmlModel(gpu, config);
  const rng = new Rng(5);
  const B = 7;
  const d = config.latentDim;
  const xs = rng.uniformArray(B * config.inDim);
  const ys = rng.uniformArray(B * config.outDim, -3, 3);
  const zs = sampleSphere(rng, B, d);
  const [grad, err] = await gpu.scopeAsync(async () => {
    const x = gpu.tensor(xs, [B, config.inDim]);
    const y = gpu.tensor(ys, [B, config.outDim]);
    const z = gpu.tensor(zs, [B, d]);
    const tape = new Tape(gpu, { training: false });
    const e = ops.l1Loss(
      tape,
      model.nets.generate(tape, model.nets.encode(tape, x), z),
      y,
      "per_sample",
    );
    const [g] = tape.gradient(e, [z], { dy: fill(gpu, [B], 1) });
    const out = [await g.read(), await e.read()];
    tape.dispose();
    return out;
  });
  const H = await reference(model.nets.H as FusedMlp);
  const G = await reference(model.nets.G as FusedMlp);
  const loss = (i: number, z: number[]) => {
    const h = H(Array.from(xs.subarray(i * config.inDim, (i + 1) * config.inDim)));
    const yh = G([...h, ...z]);
    return yh.reduce((s, v, j) => s + Math.abs(v - ys[i * config.outDim + j]), 0) / config.outDim;
  };
  const fd = new Float64Array(B * d);
  const ref = new Float64Array(B);
  const eps = 1e-6;
  for (let i = 0; i < B; i++) {
    const z = Array.from(zs.subarray(i * d, (i + 1) * d), Number);
    ref[i] = loss(i, z);
    for (let j = 0; j < d; j++) {
      const zp = [...z], zm = [...z];
      zp[j] += eps;
      zm[j] -= eps;
      fd[i * d + j] = (loss(i, zp) - loss(i, zm)) / (2 * eps);
    }
  }
  assertAllClose(err, ref, { atol: 1e-4, rtol: 1e-4, msg: "forward" });
  assertAllClose(grad, fd, { atol: 2e-4, rtol: 1e-3, msg: "∇z" });
  assert(fd.some((v) => Math.abs(v) > 1e-2), "the gradient should not vanish");
  model.dispose();
}

const small = { inDim: 2, outDim: 3, latentDim: 3, embedDim: 5, H: { width: 6 }, G: { width: 7 } };

gpuTest("∇z of Ê matches float64 finite differences (MLP)", async (gpu) => {
  await checkLatentGradient(gpu, makeConfig(small));
});

gpuTest(
  "∇z of Ê matches finite differences with spectral norm and output scale on G",
  async (gpu) => {
    await checkLatentGradient(
      gpu,
      makeConfig(small, { G: { spectralNorm: true, outputScale: 10 } }),
    );
  },
);

for (const head of [0, 3]) {
  gpuTest(
    `∇z of Ê matches a directional finite difference (conv family, head ${head})`,
    async (gpu) => {
      const config = makeConfig({
        family: "conv",
        inDim: 64,
        outDim: 64,
        latentDim: 4,
        conv: {
          inShape: [8, 8, 1],
          outShape: [8, 8, 1],
          channels: [4, 8],
          latentChannels: 2,
          head,
        },
        G: { spectralNorm: true, outputScale: 2 },
      });
      const model = new CgmlModel(gpu, config);
      const rng = new Rng(8);
      const B = 3;
      const x = gpu.tensor(rng.uniformArray(B * 64), [B, 64]);
      const y = gpu.tensor(rng.uniformArray(B * 64), [B, 64]);
      const zs = sampleSphere(rng, B, 4);
      const dir = rng.uniformArray(B * 4);
      const total = async (zv: Float32Array) => {
        const z = gpu.tensor(zv, [B, 4]);
        const tape = new Tape(gpu, { record: false, training: false });
        const e = ops.l1Loss(tape, model.nets.generate(tape, model.nets.encode(tape, x), z), y);
        const v = (await e.read())[0];
        tape.dispose();
        z.dispose();
        return v;
      };
      const z = gpu.tensor(zs, [B, 4]);
      const tape = new Tape(gpu, { training: false });
      const e = ops.l1Loss(tape, model.nets.generate(tape, model.nets.encode(tape, x), z), y);
      const [g] = tape.gradient(e, [z]);
      const grad = await g.read();
      const eps = 1e-2;
      const shifted = (s: number) => zs.map((v, i) => v + s * eps * dir[i]);
      const fd = (await total(shifted(1)) - await total(shifted(-1))) / (2 * eps);
      const analytic = grad.reduce((s, v, i) => s + v * dir[i], 0);
      assert(Math.abs(analytic) > 1e-4, `directional derivative ${analytic} too small to test`);
      assert(
        Math.abs(fd - analytic) <= 0.05 * Math.abs(analytic) + 1e-4,
        `fd ${fd} vs analytic ${analytic}`,
      );
      for (const t of [x, y, z, g]) t.dispose();
      tape.dispose();
      model.dispose();
    },
  );
}
