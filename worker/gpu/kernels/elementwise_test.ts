import { assert, assertAllClose, assertEquals, assertThrows } from "../../../testing/assert.ts";
import { AWKWARD_SIZES, gpuTest } from "../_testing.ts";
import { assertDiffers, randomTensor, rngFor } from "./_testing.ts";
import { binary, type BinaryOp, broadcastShapes, sumToShape } from "./binary.ts";
import {
  axpby,
  fill,
  fillInPlace,
  unary,
  UNARY_GRAD_INPUT,
  unaryGrad,
  type UnaryOp,
} from "./elementwise.ts";
import { axpbyRef, binaryRef, sumToShapeRef, unaryGradRef, unaryRef } from "./elementwise_ref.ts";

const UNARY_OPS = Object.keys(UNARY_GRAD_INPUT) as UnaryOp[];
const POSITIVE_ONLY = new Set<UnaryOp>(["log", "sqrt"]);
const EXTREMES = [-100, -30, -17, -5, -1e-3, 0, 1e-3, 5, 17, 30, 100];

function inputsFor(op: UnaryOp, n: number, seed: string): Float32Array {
  const rng = rngFor(seed);
  if (POSITIVE_ONLY.has(op)) return rng.uniformArray(n, 0.05, 5);
  const data = rng.uniformArray(n, -4, 4);
  if (!["exp", "square"].includes(op)) data.set(EXTREMES.slice(0, Math.min(n, EXTREMES.length)));
  return data;
}

gpuTest("unary ops match the float64 reference on awkward sizes", async (gpu) => {
  for (const op of UNARY_OPS) {
    for (const shape of [[1], [7, 13], [33, 65]]) {
      const n = shape.reduce((p, d) => p * d, 1);
      const data = inputsFor(op, n, `${op}${n}`);
      const x = gpu.tensor(data, shape);
      const y = unary(op, x, { alpha: 0.3 });
      assertEquals(y.shape, shape);
      const got = await y.read();
      const want = unaryRef(op, data, 0.3);
      assertAllClose(got, want, { atol: 1e-6, rtol: 2e-5, msg: `${op} ${shape}` });
      x.dispose();
      y.dispose();
    }
  }
});

gpuTest("softplus and sigmoid keep relative accuracy in the far tails", async (gpu) => {
  const data = Float32Array.from([-80, -40, -20, -12, -9, -5, 0, 5, 9, 20, 40, 80]);
  const x = gpu.tensor(data, [data.length]);
  for (const op of ["softplus", "sigmoid"] as const) {
    const y = unary(op, x);
    assertAllClose(await y.read(), unaryRef(op, data), { atol: 0, rtol: 1e-5, msg: op });
    y.dispose();
  }
  x.dispose();
});

gpuTest("unary gradients match the float64 reference", async (gpu) => {
  for (const op of UNARY_OPS) {
    for (const shape of [[1], [7, 13], [33, 5]]) {
      const n = shape.reduce((p, d) => p * d, 1);
      const data = inputsFor(op, n, `grad${op}${n}`).map((v) => (v === 0 ? 0.25 : v));
      const dyData = rngFor(`dy${op}${n}`).uniformArray(n, -1, 1);
      const x = gpu.tensor(data, shape);
      const y = gpu.tensor(Float32Array.from(unaryRef(op, data, 0.3)), shape);
      const dy = gpu.tensor(dyData, shape);
      const need = UNARY_GRAD_INPUT[op];
      const dx = unaryGrad(op, need === "x" ? x : null, need === "y" ? y : null, dy, {
        alpha: 0.3,
      });
      const got = await dx.read();
      assertAllClose(got, unaryGradRef(op, data, dyData, 0.3), {
        atol: 1e-6,
        rtol: 1e-4,
        msg: `${op} ${shape}`,
      });
      if (n > 1 && need !== "none") assertDiffers(got, dyData);
      for (const t of [x, y, dy, dx]) t.dispose();
    }
  }
  const t = gpu.tensor([1, 2], [2]);
  assertThrows(() => unaryGrad("tanh", t, null, t), RangeError, "forward y");
  assertThrows(() => unary("scale", t), RangeError, "alpha option is required");
  gpu.scope(() =>
    assertThrows(() => unaryGrad("abs", gpu.zeros([3]), null, t), RangeError, "Cannot")
  );
  t.dispose();
});

/** Shape pairs; `true` marks the ones that run every op (flat, scalar and vec4 kernels). */
const BROADCAST_CASES: [number[], number[], boolean][] = [
  [[7, 13], [7, 13], true],
  [[7, 13], [13], true],
  [[33, 8], [8], true],
  [[1], [5], false],
  [[], [3, 5], false],
  [[1, 1], [1], false],
  [[7, 1], [7, 12], false],
  [[2, 3, 5], [3, 1], false],
  [[3, 1, 8], [3, 5, 8], false],
  [[4, 1, 6], [1, 5, 1], false],
  [[2, 1, 3, 1, 5], [1, 4, 1, 6, 1], false],
  [[33, 2, 2, 4], [1, 2, 1, 4], false],
];

gpuTest("binary ops broadcast like numpy", async (gpu) => {
  const rng = rngFor("binary");
  for (const [sa, sb, everyOp] of BROADCAST_CASES) {
    const ops: BinaryOp[] = everyOp ? ["add", "sub", "mul", "div", "max", "min"] : ["sub", "div"];
    const a = randomTensor(gpu, rng, sa);
    const bData = rng.uniformArray(sb.reduce((p, d) => p * d, 1), 0.5, 2)
      .map((v, i) => (i % 3 === 0 ? -v : v));
    const b = gpu.tensor(bData, sb);
    for (const op of ops) {
      const ab = binary(op, a.t, b);
      const ba = binary(op, b, a.t);
      const wantAb = binaryRef(op, a.data, sa, bData, sb);
      const wantBa = binaryRef(op, bData, sb, a.data, sa);
      assertEquals(ab.shape, wantAb.shape, `${op} [${sa}] [${sb}]`);
      assertEquals(ba.shape, wantBa.shape, `${op} [${sb}] [${sa}]`);
      assertAllClose(await ab.read(), wantAb.data, { msg: `${op} [${sa}] [${sb}]` });
      assertAllClose(await ba.read(), wantBa.data, { msg: `${op} [${sb}] [${sa}]` });
      ab.dispose();
      ba.dispose();
    }
    a.t.dispose();
    b.dispose();
  }
});

gpuTest("binary broadcasting is sensitive to which axis is broadcast", async (gpu) => {
  const rng = rngFor("axis");
  const a = randomTensor(gpu, rng, [6, 6]);
  const row = randomTensor(gpu, rng, [6]);
  const col = row.t.reshape([6, 1]);
  const sumRow = binary("add", a.t, row.t);
  const sumCol = binary("add", a.t, col);
  const byRow = await sumRow.read();
  const byCol = await sumCol.read();
  assertAllClose(byRow, binaryRef("add", a.data, [6, 6], row.data, [6]).data);
  assertAllClose(byCol, binaryRef("add", a.data, [6, 6], row.data, [6, 1]).data);
  assertDiffers(byRow, byCol);
  assertEquals(broadcastShapes([4, 1, 3], [5, 1]), [4, 5, 3]);
  gpu.scope(() =>
    assertThrows(() => binary("add", a.t, gpu.zeros([4])), RangeError, "Cannot broadcast")
  );
  const many = gpu.zeros([2, 1, 2, 1, 2, 1, 2]);
  const other = gpu.zeros([1, 2, 1, 2, 1, 2, 1]);
  assertThrows(() => binary("mul", many, other), RangeError, "alternating");
  for (const t of [a.t, row.t, col, sumRow, sumCol, many, other]) t.dispose();
});

gpuTest("sumToShape reduces exactly the broadcast axes", async (gpu) => {
  const rng = rngFor("sumToShape");
  const cases: [number[], number[]][] = [
    [[7, 13], [13]],
    [[7, 13], [7, 1]],
    [[2, 3, 5], [3, 1]],
    [[2, 3, 5], [1]],
    [[2, 3, 5], []],
    [[33, 8], [33, 8]],
    [[4, 5, 6], [4, 1, 6]],
    [[2, 3, 4, 5], [3, 1, 5]],
    [[1, 7], [7]],
  ];
  for (const [from, to] of cases) {
    const x = randomTensor(gpu, rng, from);
    const out = sumToShape(x.t, to);
    assertEquals(out.shape, to);
    const got = await out.read();
    assertAllClose(got, sumToShapeRef(x.data, from, to), { msg: `[${from}] -> [${to}]` });
    x.t.dispose();
    out.dispose();
  }
  const x = gpu.zeros([3, 4]);
  assertThrows(() => sumToShape(x, [3]), RangeError, "Cannot sum");
  assertThrows(() => sumToShape(x, [2, 3, 4]), RangeError, "Cannot sum");
  x.dispose();
});

gpuTest("axpby combines two tensors", async (gpu) => {
  const rng = rngFor("axpby");
  for (const n of AWKWARD_SIZES) {
    const a = randomTensor(gpu, rng, [n, 3]);
    const b = randomTensor(gpu, rng, [n, 3]);
    const out = axpby(a.t, b.t, 0.7, -1.3);
    assertAllClose(await out.read(), axpbyRef(a.data, b.data, 0.7, -1.3));
    for (const t of [a.t, b.t, out]) t.dispose();
  }
  gpu.scope(() =>
    assertThrows(() => axpby(gpu.zeros([2]), gpu.zeros([3]), 1, 1), RangeError, "must be equal")
  );
});

gpuTest("fill covers every element, including grids split over two dimensions", async (gpu) => {
  for (const n of [1, 5, 255, 257]) {
    const t = fill(gpu, [n], 2.5);
    assertAllClose(await t.read(), new Float32Array(n).fill(2.5));
    t.dispose();
  }
  const n = 65535 * 256 + 7;
  const big = gpu.zeros([n]);
  fillInPlace(big, -3);
  const got = await big.read();
  let bad = -1;
  for (let i = 0; i < n && bad < 0; i++) if (got[i] !== -3) bad = i;
  assert(bad < 0, `element ${bad} was not filled`);
  big.dispose();
});
