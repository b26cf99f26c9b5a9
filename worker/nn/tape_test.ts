import { assert, assertAllClose, assertEquals, assertThrows } from "../../testing/assert.ts";
import { gpuTest } from "../gpu/_testing.ts";
import { add, mul, scale, tanh } from "./ops/elementwise.ts";
import { sum } from "./ops/reduce.ts";
import { Tape } from "./tape.ts";

gpuTest("gradient w.r.t. inputs, intermediates and repeated tensors", async (gpu) => {
  const x = gpu.tensor([1, 2, 3], [3]);
  const w = gpu.tensor([0.5, -1, 2], [3]);
  const tape = new Tape(gpu);
  const h = mul(tape, x, w); // x·w
  const y = sum(tape, mul(tape, h, h)); // Σ (x w)^2
  const [gx, gw, gh, gx2] = tape.gradient(y, [x, w, h, x]);
  assertAllClose(await gx.read(), [2 * 0.5 * 0.5 * 1, 2 * 1 * 2, 2 * 4 * 3]);
  assertAllClose(await gw.read(), [2 * 1 * 0.5, 2 * 4 * -1, 2 * 9 * 2]);
  assertAllClose(await gh.read(), [2 * 0.5, 2 * -2, 2 * 6]);
  assertAllClose(await gx2.read(), await gx.read());
  for (const t of [gx, gw, gh, gx2, x, w]) t.dispose();
  tape.dispose();
  assert(y.disposed && h.disposed, "the tape frees what it created");
});

gpuTest("stopGradient cuts the graph; unconnected tensors get zeros", async (gpu) => {
  const x = gpu.tensor([1, -2], [2]);
  const other = gpu.tensor([5, 5, 5], [3]);
  const tape = new Tape(gpu);
  const y = sum(tape, add(tape, scale(tape, x, 3), tape.stopGradient(scale(tape, x, 10))));
  const [gx, go] = tape.gradient(y, [x, other]);
  assertAllClose(await gx.read(), [3, 3]);
  assertAllClose(await go.read(), [0, 0, 0]);
  for (const t of [gx, go, x, other]) t.dispose();
  tape.dispose();
});

gpuTest("independent graphs: several tapes and several gradient calls in one step", async (gpu) => {
  const z = gpu.tensor([0.3, -0.7], [2]);
  const w = gpu.tensor([2, 3], [2]);
  const before = gpu.counters.submits;
  const t1 = new Tape(gpu);
  const t2 = new Tape(gpu);
  const a = sum(t1, tanh(t1, mul(t1, z, w)));
  const b = sum(t2, mul(t2, z, z));
  const [gz1] = t1.gradient(a, [z]);
  const [gw1] = t1.gradient(a, [w]);
  const [gz2] = t2.gradient(b, [z]);
  assertEquals(gpu.counters.submits, before, "recording and backward never submit");
  const zz = [0.3, -0.7];
  const ww = [2, 3];
  const d = zz.map((v, i) => 1 - Math.tanh(v * ww[i]) ** 2);
  assertAllClose(await gz1.read(), d.map((v, i) => v * ww[i]));
  assertAllClose(await gw1.read(), d.map((v, i) => v * zz[i]));
  assertAllClose(await gz2.read(), zz.map((v) => 2 * v));
  for (const t of [gz1, gw1, gz2, z, w]) t.dispose();
  t1.dispose();
  t2.dispose();
});

gpuTest("a custom dy seeds the backward pass; non-scalars need one", async (gpu) => {
  const x = gpu.tensor([1, 2], [2]);
  const tape = new Tape(gpu);
  const y = scale(tape, x, 4);
  assertThrows(() => tape.gradient(y, [x]), RangeError, "non-scalar");
  const dy = gpu.tensor([1, -1], [2]);
  const [gx] = tape.gradient(y, [x], { dy });
  assertAllClose(await gx.read(), [4, -4]);
  for (const t of [gx, x, dy]) t.dispose();
  tape.dispose();
});

gpuTest("keep hands results over; forward-only tapes refuse gradients", async (gpu) => {
  const x = gpu.tensor([1, 2], [2]);
  const tape = new Tape(gpu, { record: false });
  assertEquals(tape.training, false);
  const y = tape.keep(scale(tape, x, 2));
  const z = scale(tape, x, 3);
  assertEquals(tape.size, 0);
  assertThrows(() => tape.gradient(y, [x]), Error, "does not record");
  tape.dispose();
  assert(!y.disposed && z.disposed);
  assertAllClose(await y.read(), [2, 4]);
  assertThrows(() => scale(tape, x, 1), Error, "disposed tape");
  y.dispose();
  x.dispose();
});

gpuTest("the pool returns to its size after many tape steps", (gpu) => {
  const x = gpu.tensor([1, 2, 3, 4], [4]);
  const step = () => {
    const tape = new Tape(gpu);
    const y = sum(tape, tanh(tape, mul(tape, x, x)));
    const [g] = tape.gradient(y, [x]);
    g.dispose();
    tape.dispose();
    gpu.submit();
  };
  for (let i = 0; i < 3; i++) step();
  const inUse = gpu.memory().bytesInUse;
  const allocated = gpu.memory().bytesAllocated;
  for (let i = 0; i < 20; i++) step();
  assertEquals(gpu.memory().bytesInUse, inUse);
  assertEquals(gpu.memory().bytesAllocated, allocated);
  x.dispose();
});
