import {
  assert,
  assertAllClose,
  assertEquals,
  assertRejects,
  assertThrows,
} from "../../testing/assert.ts";
import { GpuError } from "./device.ts";
import { kernel, read, readWrite } from "./kernel.ts";
import { sizeClass } from "./pool.ts";
import { gpuTest } from "./_testing.ts";
import type { Tensor } from "./tensor.ts";

const ADD = kernel({
  name: "test_add",
  bindings: { a: read(), b: read(), out: readWrite() },
  uniforms: { n: "u32", scale: "f32" },
  body: () =>
    `@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  if (g.x < p.n) { out[g.x] = (a[g.x] + b[g.x]) * p.scale; }
}`,
});

function addScaled(a: Tensor, b: Tensor, scale: number): Tensor {
  const out = a.gpu.empty(a.shape);
  ADD.run(a.gpu, {
    buffers: { a, b, out },
    uniforms: { n: a.size, scale },
    workgroups: [Math.ceil(a.size / 64)],
  });
  return out;
}

Deno.test("sizeClass rounds up to at most 25 % slack", () => {
  assertEquals(sizeClass(1), 256);
  for (const n of [257, 1000, 4096, 5000, 1 << 20, (1 << 20) + 1, 123456789]) {
    const c = sizeClass(n);
    assert(c >= n && c <= n * 1.25 + 256, `class ${c} for ${n}`);
    assertEquals(c % 256, 0);
  }
});

gpuTest("upload, run a kernel with uniforms, read back", async (gpu) => {
  const a = gpu.tensor([1, 2, 3, 4, 5], [5]);
  const b = gpu.tensor([10, 20, 30, 40, 50], [5]);
  const out = addScaled(a, b, 0.5);
  assertAllClose(await out.read(), [5.5, 11, 16.5, 22, 27.5]);
  for (const t of [a, b, out]) t.dispose();
});

gpuTest("many dispatches in one submit see each other's results in order", async (gpu) => {
  const one = gpu.tensor([1, 1, 1], [3]);
  let acc = gpu.zeros([3]);
  const before = gpu.counters.submits;
  for (let i = 0; i < 20; i++) {
    const next = addScaled(acc, one, 1);
    acc.dispose();
    acc = next;
  }
  assertEquals(gpu.counters.submits, before, "recording must not submit");
  assertAllClose(await acc.read(), [20, 20, 20]);
  one.dispose();
  acc.dispose();
});

gpuTest("scopes dispose what is not returned and memory stays flat", async (gpu) => {
  const x = gpu.tensor(new Float32Array(1000).fill(1), [1000]);
  const step = () =>
    gpu.scope(() => {
      const y = addScaled(x, x, 1);
      const z = addScaled(y, x, 1);
      return addScaled(z, y, 1);
    });
  for (let i = 0; i < 5; i++) {
    step().dispose();
    gpu.submit();
  }
  const after5 = gpu.memory().bytesAllocated;
  for (let i = 0; i < 50; i++) {
    step().dispose();
    gpu.submit();
  }
  assertEquals(gpu.memory().bytesAllocated, after5);
  const kept = step();
  assertAllClose((await kept.read()).slice(0, 2), [5, 5]);
  kept.dispose();
  x.dispose();
});

gpuTest("reshape shares storage until the last view is disposed", async (gpu) => {
  const a = gpu.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  const v = a.reshape([3, 2]);
  a.dispose();
  assertAllClose(await v.read(), [1, 2, 3, 4, 5, 6]);
  assertThrows(() => a.buffer, Error, "disposed");
  assertThrows(() => v.reshape([4]), RangeError, "Cannot reshape");
  v.dispose();
});

gpuTest("write after recorded reads keeps command order", async (gpu) => {
  const a = gpu.tensor([1, 2], [2]);
  const out = addScaled(a, a, 1);
  a.write([100, 200]);
  assertAllClose(await out.read(), [2, 4]);
  assertAllClose(await a.read(), [100, 200]);
  a.dispose();
  out.dispose();
});

gpuTest("a broken kernel surfaces as GpuError naming it", async (gpu) => {
  const a = gpu.tensor([1], [1]);
  kernel({
    name: "deliberately_broken",
    bindings: {},
    uniforms: {},
    body: () => "@compute @workgroup_size(1) fn main() { let x: f32 = undefined_thing; }",
  }).run(gpu, { buffers: {}, uniforms: {}, workgroups: [1] });
  const err = await assertRejects(() => gpu.sync(), GpuError);
  assert(err.message.includes("deliberately_broken"), err.message);
  a.dispose();
});

gpuTest("tensor creation validates shapes and data", (gpu) => {
  assertThrows(() => gpu.tensor([1, 2, 3], [2, 2]), RangeError, "expected 4");
  assertThrows(() => gpu.empty([2, -1]), RangeError, "non-negative");
  const z = gpu.empty([0, 3]);
  assertEquals(z.size, 0);
  z.dispose();
});
