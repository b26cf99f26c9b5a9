import { assert, assertEquals } from "../../testing/assert.ts";
import type { Gpu } from "../gpu/device.ts";
import { Rng } from "../lib/mod.ts";
import { gpuTest } from "../gpu/_testing.ts";
import type { Tensor } from "../gpu/tensor.ts";
import { LossMeter } from "./metrics.ts";
import { Adam } from "./optim.ts";
import { concat } from "./ops/shape.ts";
import { l1Loss } from "./ops/loss.ts";
import { l2Normalize } from "./ops/normalize.ts";
import { mlp } from "./sequential.ts";
import { Tape } from "./tape.ts";
import { UNetDecoder, UNetEncoder } from "./unet.ts";
import { axpby, fill } from "../gpu/kernels/mod.ts";

gpuTest("an MLP fits a non-linear 1-D regression", async (gpu) => {
  const rng = new Rng(1);
  const n = 128;
  const xs = Float32Array.from({ length: n }, (_, i) => -1 + (2 * i) / (n - 1));
  const x = gpu.tensor(xs, [n, 1]);
  const y = gpu.tensor(xs.map((v) => Math.sin(3 * v) + 0.5 * v * v), [n, 1]);
  const net = mlp(gpu, rng, [1, 32, 32, 1]);
  const opt = new Adam(gpu, net.parameters(), { lr: 1e-2 });
  const meter = new LossMeter();
  const losses: number[] = [];
  for (let step = 1; step <= 400; step++) {
    const tape = new Tape(gpu);
    const loss = l1Loss(tape, net.forward(tape, x), y);
    opt.minimize(tape, loss);
    meter.add(loss);
    tape.dispose();
    if (step % 100 === 0) losses.push(await meter.read());
    else gpu.submit();
  }
  assert(losses.at(-1)! < 0.04, `final L1 ${losses.at(-1)} (losses ${losses})`);
  assert(losses.at(-1)! < losses[0], `loss did not fall: ${losses}`);
  for (const t of [x, y]) t.dispose();
  net.dispose();
  opt.dispose();
});

/** Images of 1–2 bright axis-aligned rectangles on a dark background, NHWC. */
function rectangles(rng: Rng, count: number, size: number, channels: number): Float32Array {
  const out = new Float32Array(count * size * size * channels);
  for (let i = 0; i < count; i++) {
    for (let r = 0; r < 1 + rng.int(2); r++) {
      const [y0, x0] = [rng.int(size - 4), rng.int(size - 4)];
      const [h, w] = [3 + rng.int(size / 2), 3 + rng.int(size / 2)];
      const colour = Array.from({ length: channels }, () => rng.uniform(0.3, 1));
      for (let y = y0; y < Math.min(size, y0 + h); y++) {
        for (let x = x0; x < Math.min(size, x0 + w); x++) {
          for (let c = 0; c < channels; c++) {
            out[((i * size + y) * size + x) * channels + c] = colour[c];
          }
        }
      }
    }
  }
  return out;
}

gpuTest("a tiny conv autoencoder's loss falls by at least 5x", async (gpu) => {
  const rng = new Rng(2);
  const images = gpu.tensor(rectangles(rng, 16, 16, 1), [16, 16, 16, 1]);
  const widths = [8, 16];
  const enc = new UNetEncoder(gpu, rng, { inChannels: 1, widths });
  const dec = new UNetDecoder(gpu, rng, { widths, outChannels: 1, skips: false });
  const opt = new Adam(gpu, [...enc.parameters("enc."), ...dec.parameters("dec.")], { lr: 3e-3 });
  const meter = new LossMeter();
  const losses: number[] = [];
  for (let step = 1; step <= 150; step++) {
    const tape = new Tape(gpu);
    const loss = l1Loss(tape, dec.forward(tape, enc.forward(tape, images)), images);
    opt.minimize(tape, loss);
    meter.add(loss);
    tape.dispose();
    if (step === 1 || step % 50 === 0) losses.push(await meter.read());
    else gpu.submit();
  }
  assert(losses[0] / losses.at(-1)! >= 5, `losses ${losses}`);
  images.dispose();
  enc.dispose();
  dec.dispose();
  opt.dispose();
});

/**
 * One cGML training step on tiny MLPs (DESIGN §2): `l` latent updates by the gradient w.r.t.
 * z, a Z update and an H/G update, as independent graphs recorded without any submit.
 */
function cgmlStep(
  gpu: Gpu,
  nets: ReturnType<typeof tinyCgml>,
  x: Tensor,
  y: Tensor,
  z0: Tensor,
  meter: LossMeter,
): Tensor {
  const { H, G, Z, optHG, optZ } = nets;
  let z = z0;
  for (let t = 0; t < 2; t++) {
    const tz = new Tape(gpu, { training: false });
    const h = H.forward(tz, x);
    const e = l1Loss(tz, G.forward(tz, concat(tz, [h, z], 1)), y, "per_sample");
    const [gz] = tz.gradient(e, [z], { dy: tz.own(fill(gpu, [4], 1)) });
    const moved = axpby(z, gz, 1, -0.3);
    const next = tz.keep(l2Normalize(tz, moved));
    gz.dispose();
    moved.dispose();
    const tZ = new Tape(gpu);
    const hz = tZ.stopGradient(H.forward(tZ, x));
    const lossZ = l1Loss(tZ, Z.forward(tZ, concat(tZ, [z, hz], 1)), next);
    optZ.minimize(tZ, lossZ);
    tZ.dispose();
    const tg = new Tape(gpu);
    const loss = l1Loss(tg, G.forward(tg, concat(tg, [H.forward(tg, x), next], 1)), y);
    optHG.minimize(tg, loss);
    meter.add(loss);
    tg.dispose();
    tz.dispose();
    if (z !== z0) z.dispose();
    z = next;
  }
  return z;
}

function tinyCgml(gpu: Gpu) {
  const rng = new Rng(3);
  const H = mlp(gpu, rng, [1, 8, 4]);
  const G = mlp(gpu, rng, [6, 8, 3], { spectralNorm: true, outputScale: 4 });
  const Z = mlp(gpu, rng, [6, 8, 2]);
  const optHG = new Adam(gpu, [
    { params: H.parameters("H."), lr: 1e-3 },
    { params: G.parameters("G."), lr: 2e-3 },
  ]);
  const optZ = new Adam(gpu, Z.parameters("Z."), { lr: 1e-3 });
  return { H, G, Z, optHG, optZ };
}

gpuTest("a three-graph cGML training step is exactly one submit", async (gpu) => {
  const nets = tinyCgml(gpu);
  const x = gpu.tensor([0.1, -0.5, 0.7, 0.3], [4, 1]);
  const y = gpu.tensor(new Rng(4).uniformArray(12), [4, 3]);
  const z0 = gpu.tensor([0.6, 0.8, -1, 0, 0, 1, 0.8, -0.6], [4, 2]);
  const meter = new LossMeter();
  cgmlStep(gpu, nets, x, y, z0, meter).dispose();
  await meter.read();
  const before = gpu.counters.submits;
  cgmlStep(gpu, nets, x, y, z0, meter).dispose();
  assertEquals(gpu.counters.submits, before, "recording a step never submits");
  const loss = await meter.read();
  assertEquals(gpu.counters.submits, before + 1, "the step and its loss readback: one submit");
  assert(Number.isFinite(loss), `loss ${loss}`);
  for (const t of [x, y, z0]) t.dispose();
  for (const m of [nets.H, nets.G, nets.Z, nets.optHG, nets.optZ]) m.dispose();
});

gpuTest("pool memory after step 100 equals that after step 1000", async (gpu) => {
  const rng = new Rng(5);
  const net = mlp(gpu, rng, [2, 8, 1]);
  const opt = new Adam(gpu, net.parameters());
  const x = gpu.tensor(rng.uniformArray(16), [8, 2]);
  const y = gpu.tensor(rng.uniformArray(8), [8, 1]);
  const meter = new LossMeter();
  const stats = [];
  for (let step = 1; step <= 1000; step++) {
    const tape = new Tape(gpu);
    const loss = l1Loss(tape, net.forward(tape, x), y);
    opt.minimize(tape, loss);
    meter.add(loss);
    tape.dispose();
    if (step % 100 === 0) await meter.read();
    else gpu.submit();
    if (step === 100 || step === 1000) stats.push(gpu.memory());
  }
  assertEquals(stats[1].bytesAllocated, stats[0].bytesAllocated, "bytes allocated");
  assertEquals(stats[1].bytesInUse, stats[0].bytesInUse, "bytes in use");
  assertEquals(stats[1].buffersCreated, stats[0].buffersCreated, "buffers created");
  for (const t of [x, y]) t.dispose();
  net.dispose();
  opt.dispose();
});
