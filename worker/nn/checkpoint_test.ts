import { assertAllClose, assertEquals, assertRejects, assertThrows } from "../../testing/assert.ts";
import type { Gpu } from "../gpu/device.ts";
import { Rng } from "../lib/mod.ts";
import { gpuTest } from "../gpu/_testing.ts";
import type { Tensor } from "../gpu/tensor.ts";
import {
  CheckpointError,
  decodeCheckpoint,
  encodeCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
} from "./checkpoint.ts";
import type { NamedTensor } from "./module.ts";
import { l1Loss } from "./ops/loss.ts";
import { Adam } from "./optim.ts";
import { SafetensorsError } from "./safetensors.ts";
import { mlp, type Sequential } from "./sequential.ts";
import { Tape } from "./tape.ts";

function model(gpu: Gpu, seed: number) {
  const net = mlp(gpu, new Rng(seed), [3, 6, 2], { spectralNorm: true, outputScale: 2 });
  const opt = new Adam(gpu, net.parameters("net."), { lr: 1e-2 });
  const entries = (): NamedTensor[] => [...net.state("net."), ...opt.state("adam.")];
  return { net, opt, entries };
}

function train(gpu: Gpu, net: Sequential, opt: Adam, x: Tensor, y: Tensor, steps: number) {
  for (let i = 0; i < steps; i++) {
    const tape = new Tape(gpu);
    opt.minimize(tape, l1Loss(tape, net.forward(tape, x), y));
    tape.dispose();
  }
}

gpuTest("a checkpoint restores parameters, spectral-norm vectors and Adam state", async (gpu) => {
  const rng = new Rng(29);
  const x = gpu.tensor(rng.uniformArray(12), [4, 3]);
  const y = gpu.tensor(rng.uniformArray(8), [4, 2]);
  const a = model(gpu, 1);
  train(gpu, a.net, a.opt, x, y, 3);
  const names = a.entries().map((e) => e.name);
  assertEquals(names.filter((n) => n.endsWith(".u") || n.endsWith(".v")).length, 4);
  const bytes = await encodeCheckpoint(gpu, a.entries(), {
    ...a.opt.metadata("adam."),
    epoch: "2",
  });
  train(gpu, a.net, a.opt, x, y, 2);

  const b = model(gpu, 99);
  const meta = decodeCheckpoint(bytes, b.entries());
  assertEquals(meta, { "adam.steps": "3", epoch: "2" });
  b.opt.restoreMetadata(meta, "adam.");
  train(gpu, b.net, b.opt, x, y, 2);
  const ea = a.entries();
  for (const [i, e] of b.entries().entries()) {
    assertAllClose(await e.tensor.read(), await ea[i].tensor.read(), {
      atol: 0,
      rtol: 0,
      msg: e.name,
    });
  }
  for (const m of [a, b]) {
    m.net.dispose();
    m.opt.dispose();
  }
  x.dispose();
  y.dispose();
});

gpuTest("loading fails clearly on missing, unexpected or reshaped tensors", async (gpu) => {
  const t = (name: string, shape: number[]) => ({ name, tensor: gpu.zeros(shape) });
  const saved = [t("a", [2, 3]), t("b", [4])];
  const bytes = await encodeCheckpoint(gpu, saved);
  const cases: [NamedTensor[], string][] = [
    [[t("a", [2, 3]), t("b", [4]), t("c", [1])], 'missing "c"'],
    [[t("a", [2, 3])], 'unexpected "b"'],
    [[t("a", [3, 2]), t("b", [4])], '"a" has shape [2,3] in the file, expected [3,2]'],
  ];
  for (const [expected, message] of cases) {
    assertThrows(() => decodeCheckpoint(bytes, expected), CheckpointError, message);
    for (const e of expected) e.tensor.dispose();
  }
  assertThrows(
    () => decodeCheckpoint(bytes.subarray(0, bytes.length - 4), saved),
    SafetensorsError,
    "truncated",
  );
  const bad = bytes.slice();
  new DataView(bad.buffer).setBigUint64(0, 1n << 40n, true);
  assertThrows(() => decodeCheckpoint(bad, saved), SafetensorsError, "bad header length");
  for (const e of saved) e.tensor.dispose();
});

gpuTest("checkpoint files are written atomically and read back", async (gpu) => {
  const dir = await Deno.makeTempDir();
  try {
    const w = { name: "w", tensor: gpu.tensor([1, 2, 3, 4], [2, 2]) };
    await saveCheckpoint(`${dir}/ck.safetensors`, gpu, [w], { note: "x" });
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["ck.safetensors"]);
    const r = { name: "w", tensor: gpu.zeros([2, 2]) };
    assertEquals(await loadCheckpoint(`${dir}/ck.safetensors`, [r]), { note: "x" });
    assertAllClose(await r.tensor.read(), [1, 2, 3, 4]);
    await assertRejects(() => loadCheckpoint(`${dir}/none.safetensors`, [r]), Deno.errors.NotFound);
    w.tensor.dispose();
    r.tensor.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
