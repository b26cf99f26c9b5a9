import { assert, assertAllClose, assertEquals, assertRejects } from "../../testing/assert.ts";
import { Rng } from "../lib/mod.ts";
import { gpuTest } from "../gpu/_testing.ts";
import { PLUS_MINUS, sampleToy, THREE_BRANCHES } from "../data/toy.ts";
import { type CgmlConfigInput, makeConfig, PERSISTENT_PRESET } from "./config.ts";
import {
  CgmlTrainer,
  type LossPoint,
  normalizedWeights,
  type TrainingData,
  weightedL1,
} from "./train.ts";
import { ops, Tape } from "../nn/mod.ts";
import { CHILD_CONFIG, CHILD_DATA } from "./testdata/train_child.ts";

const tiny: CgmlConfigInput = {
  H: { width: 16 },
  G: { width: 16 },
  Z: { width: 16 },
  embedDim: 8,
  batchSize: 64,
  pairsPerEpoch: 256,
  epochs: 3,
  lossEvery: 2,
  innerSteps: 3,
};
const fresh: TrainingData = { kind: "fresh", sample: (rng, n) => sampleToy(PLUS_MINUS, n, rng) };
const fixed: TrainingData = { kind: "fixed", data: sampleToy(THREE_BRANCHES, 320, new Rng(4)) };

function curveValues(curve: LossPoint[]): number[] {
  return curve.flatMap((
    p,
  ) => [p.step, p.epoch, p.losses.fit, p.losses.mover, p.losses.start, p.losses.rho]);
}

gpuTest("a training step is one submit; losses are read every lossEvery steps", async (gpu) => {
  const trainer = new CgmlTrainer(gpu, makeConfig(tiny, { epochs: 1, lossEvery: 3 }), fresh);
  const submits: number[] = [];
  await trainer.fit({
    onProgress: (p) => p.phase === "step" && submits.push(gpu.counters.submits),
  });
  const perStep = submits.slice(1).map((s, i) => s - submits[i]);
  assertEquals(perStep, [1, 2, 2], "steps 2..4 (steps 3 and 4, the epoch's last, read losses)");
  assertEquals(trainer.curve.map((p) => p.step), [3, 4]);
  trainer.dispose();
});

gpuTest("the cosine schedule sets both learning rates before every epoch", async (gpu) => {
  const config = makeConfig(tiny, {
    lrSchedule: "cosine",
    optimHG: { lr: 0.004 },
    optimZ: { lr: 0.002 },
  });
  const trainer = new CgmlTrainer(gpu, config, fresh);
  const rates: { hg: number; z: number }[] = [];
  await trainer.fit({
    onProgress: (p) =>
      p.phase === "step" && p.step % trainer.stepsPerEpoch === 1 &&
      rates.push(trainer.learningRates),
  });
  assertAllClose(rates.map((r) => r.hg), [0.004, 0.003, 0.001], { atol: 1e-9, rtol: 0 });
  assertAllClose(rates.map((r) => r.z), [0.002, 0.0015, 0.0005], { atol: 1e-9, rtol: 0 });
  trainer.dispose();
  const constant = new CgmlTrainer(gpu, makeConfig(tiny, { optimHG: { lr: 0.004 } }), fresh);
  await constant.fit();
  assertEquals(constant.learningRates.hg, 0.004);
  constant.dispose();
});

for (
  const [name, data, extra] of [
    ["fresh latents", fresh, {}],
    ["persistent latents with spectral norm", fixed, PERSISTENT_PRESET],
    ["cosine learning rates", fixed, { ...PERSISTENT_PRESET, lrSchedule: "cosine" }],
  ] as const
) {
  gpuTest(`resume after a kill reproduces the loss curve (${name})`, async (gpu) => {
    const config = makeConfig(tiny, extra);
    const whole = new CgmlTrainer(gpu, config, data);
    await whole.fit();
    const path = await Deno.makeTempFile({ suffix: ".safetensors" });
    try {
      const killed = new CgmlTrainer(gpu, config, data);
      const abort = new AbortController();
      await assertRejects(() =>
        killed.fit({
          checkpoint: path,
          signal: abort.signal,
          onProgress: (p) => p.epoch === 3 && p.step % killed.stepsPerEpoch === 2 && abort.abort(),
        })
      );
      killed.dispose();
      const resumed = new CgmlTrainer(gpu, config, data);
      await resumed.restore(path);
      assertEquals([resumed.epoch, resumed.step], [2, 2 * resumed.stepsPerEpoch]);
      await resumed.fit();
      assertEquals(resumed.curve.length, whole.curve.length);
      assertAllClose(curveValues(resumed.curve), curveValues(whole.curve), {
        atol: 1e-6,
        rtol: 1e-5,
      });
      resumed.dispose();
    } finally {
      await Deno.remove(path);
      whole.dispose();
    }
  });
}

gpuTest("restore refuses a checkpoint of another configuration", async (gpu) => {
  const path = await Deno.makeTempFile({ suffix: ".safetensors" });
  const a = new CgmlTrainer(gpu, makeConfig(tiny, { epochs: 0 }), fresh);
  await a.save(path);
  const b = new CgmlTrainer(gpu, makeConfig(tiny, { beta: 0.5 }), fresh);
  await assertRejects(() => b.restore(path), Error, "another configuration");
  a.dispose();
  b.dispose();
  await Deno.remove(path);
});

gpuTest(
  "every variant trains: H/G once after the l steps, the L1 regressor, conv maps",
  async (gpu) => {
    const runs: [string, ReturnType<typeof makeConfig>, TrainingData][] = [
      ["updateHGOnce", makeConfig(tiny, { updateHGOnce: true, epochs: 4 }), fresh],
      ["l1", makeConfig(tiny, { method: "l1", epochs: 4 }), fresh],
    ];
    for (const [name, config, data] of runs) {
      const t = new CgmlTrainer(gpu, config, data);
      await t.fit();
      const first = t.curve[0].losses.fit;
      const last = t.curve.at(-1)!.losses.fit;
      assert(Number.isFinite(last) && last < first, `${name}: fit loss ${first} → ${last}`);
      t.dispose();
    }
    const conv = makeConfig(tiny, {
      family: "conv",
      inDim: 64,
      outDim: 64,
      latentDim: 4,
      conv: { inShape: [8, 8, 1], outShape: [8, 8, 1], channels: [4, 8], latentChannels: 2 },
      latents: "persistent",
      epochs: 2,
      batchSize: 16,
    });
    const rng = new Rng(3);
    const images = {
      n: 32,
      inDim: 64,
      outDim: 64,
      x: rng.uniformArray(32 * 64),
      y: rng.uniformArray(32 * 64),
      mode: null,
      modeNames: [],
      xNames: [],
      yNames: [],
    };
    const t = new CgmlTrainer(gpu, conv, { kind: "fixed", data: images });
    await t.fit();
    assert(t.curve.every((p) => Number.isFinite(p.losses.fit) && Number.isFinite(p.losses.mover)));
    t.dispose();
  },
);

gpuTest(
  "killing the training process (SIGKILL) and resuming reproduces the loss curve",
  async (gpu) => {
    const dir = await Deno.makeTempDir();
    const path = `${dir}/run.safetensors`;
    try {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", new URL("./testdata/train_child.ts", import.meta.url).pathname, path],
        stdout: "null",
        stderr: "null",
      }).spawn();
      const deadline = Date.now() + 60_000;
      while (!(await exists(path)) && Date.now() < deadline) await delay(100);
      await delay(300);
      child.kill("SIGKILL");
      await child.status;
      const probe = new CgmlTrainer(gpu, makeConfig(CHILD_CONFIG, { epochs: 100_000 }), CHILD_DATA);
      await probe.restore(path);
      const epochs = probe.epoch + 2;
      probe.dispose();
      assert(epochs >= 3, "the child wrote at least one checkpoint");
      const resumed = new CgmlTrainer(gpu, makeConfig(CHILD_CONFIG, { epochs }), CHILD_DATA);
      await resumed.restore(path);
      await resumed.fit();
      const whole = new CgmlTrainer(gpu, makeConfig(CHILD_CONFIG, { epochs }), CHILD_DATA);
      await whole.fit();
      assertEquals(resumed.curve.length, whole.curve.length);
      assertAllClose(curveValues(resumed.curve), curveValues(whole.curve), {
        atol: 1e-6,
        rtol: 1e-5,
      });
      resumed.dispose();
      whole.dispose();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

Deno.test("loss weights are scaled to mean 1 per row; all zeros stay zero", () => {
  assertEquals([...normalizedWeights(Float32Array.from([1, 0, 3, 0, 0, 0]))], [
    1.5,
    0,
    4.5,
    0,
    0,
    0,
  ]);
  assertEquals([...normalizedWeights(new Float32Array(3))], [0, 0, 0]);
});

gpuTest(
  "weightedL1 is the mean over the weighted cells, the plain L1 for equal weights",
  async (gpu) => {
    const pred = gpu.tensor(Float32Array.from([1, 2, 3, 4, 0, 0]), [2, 3]);
    const target = gpu.tensor(Float32Array.from([0, 0, 0, 0, 1, 2]), [2, 3]);
    const w = (row: number[]) => [...normalizedWeights(Float32Array.from(row))];
    const mask = gpu.tensor(Float32Array.from([...w([1, 0, 1]), ...w([0, 1, 0])]), [2, 3]);
    const ones = gpu.tensor(new Float32Array(6).fill(1), [2, 3]);
    const tape = new Tape(gpu, { record: false });
    assertAllClose(await weightedL1(tape, pred, target, mask, "per_sample").read(), [2, 1]);
    assertAllClose(await weightedL1(tape, pred, target, mask).read(), [1.5]);
    assertAllClose(
      await weightedL1(tape, pred, target, ones, "per_sample").read(),
      await ops.l1Loss(tape, pred, target, "per_sample").read(),
    );
    tape.dispose();
    for (const t of [pred, target, mask, ones]) t.dispose();
  },
);

gpuTest(
  "an extra H/G loss term shapes the outputs of cGML and of the L1 regressor",
  async (gpu) => {
    const rng = new Rng(9);
    const data: TrainingData = {
      kind: "fixed",
      data: {
        n: 128,
        inDim: 1,
        outDim: 3,
        x: rng.uniformArray(128),
        y: rng.uniformArray(128 * 3, 1, 2),
        mode: null,
        modeNames: [],
        xNames: [],
        yNames: [],
      },
    };
    const meanOutput = async (t: CgmlTrainer) => {
      const tape = new Tape(gpu, { record: false });
      const x = gpu.tensor(data.data.x, [128, 1]);
      const h = t.model.nets.encode(tape, x);
      const z = t.config.method === "cgml" ? gpu.tensor(rng.uniformArray(128 * 4), [128, 4]) : null;
      const y = await t.model.nets.generate(tape, h, z).read();
      tape.dispose();
      return y.reduce((s, v) => s + v, 0) / y.length;
    };
    for (const method of ["cgml", "l1"] as const) {
      const config = makeConfig(tiny, { method, latentDim: 4, epochs: 8, batchSize: 32 });
      const plain = new CgmlTrainer(gpu, config, data);
      const pulled = new CgmlTrainer(gpu, config, data, {
        extraLoss: (tape, prediction) => ops.scale(tape, ops.mean(tape, prediction), 5),
      });
      await plain.fit();
      await pulled.fit();
      const [a, b] = [await meanOutput(plain), await meanOutput(pulled)];
      assert(
        Number.isFinite(b) && b < a - 0.5,
        `${method}: mean output ${a} without, ${b} with the extra term`,
      );
      plain.dispose();
      pulled.dispose();
    }
  },
);
