import {
  assertAllClose,
  assertAlmostEquals,
  assertEquals,
  assertThrows,
} from "../../../testing/assert.ts";
import { Rng } from "../../lib/mod.ts";
import type { Tensor } from "../tensor.ts";
import { gpuTest } from "../_testing.ts";
import { randomTensor } from "./_testing.ts";
import {
  conv2d,
  conv2dInputGrad,
  conv2dWeightGrad,
  convTranspose2d,
  convTranspose2dInputGrad,
  convTranspose2dWeightGrad,
} from "./conv.ts";
import {
  conv2dInputGradRef,
  conv2dRef,
  conv2dWeightGradRef,
  convTranspose2dInputGradRef,
  convTranspose2dRef,
  convTranspose2dWeightGradRef,
} from "./conv_ref.ts";
import { convGeometry, convOutputShape, convTransposeOutputShape } from "./conv_shape.ts";
import { GEMM_VARIANT_NAMES } from "./gemm_variants.ts";

const VARIANTS = GEMM_VARIANT_NAMES;

/** [N, H, W, Cin, KH, KW, Cout, stride, padding] */
type Case = [number, number, number, number, number, number, number, number, number];

const CASES: Case[] = [
  [1, 7, 13, 1, 1, 1, 1, 1, 0], // 1x1 kernel, one channel, prime image
  [2, 7, 13, 3, 3, 3, 5, 1, 1], // 3x3, odd channels (scalar path)
  [33, 5, 3, 4, 3, 3, 8, 2, 2], // batch 33, padding 2, stride 2 (vec4 path)
  [3, 9, 8, 5, 4, 4, 3, 2, 1], // 4x4 s2 p1 with odd channels
  [2, 16, 16, 8, 4, 4, 12, 2, 1], // the benchmark layer's geometry, small
  [1, 11, 7, 4, 3, 2, 4, 3, 0], // stride 3, non-square kernel
  [2, 6, 7, 4, 1, 1, 4, 2, 0], // 1x1 stride 2: some input pixels get no gradient
  [1, 1, 1, 3, 1, 1, 5, 1, 0], // 1x1 image
  [4, 20, 20, 16, 3, 3, 36, 1, 1], // many workgroups in every kernel
];

function size(shape: readonly number[]): number {
  return shape.reduce((s, d) => s * d, 1);
}

/** f32 accumulation over `k` terms of magnitude ≤ 1. */
function tolerance(k: number) {
  return { atol: 1e-5 * Math.sqrt(Math.max(k, 1)), rtol: 1e-5 };
}

async function expectClose(t: Tensor, expected: Float64Array, k: number, msg: string) {
  assertAllClose(await t.read(), expected, { ...tolerance(k), msg });
  t.dispose();
}

for (const variant of VARIANTS) {
  gpuTest(`conv2d ${variant} kernels match the reference (forward, dX, dW)`, async (gpu) => {
    const rng = new Rng(7);
    for (const [n, h, w, cin, kh, kw, cout, stride, padding] of CASES) {
      const opts = { stride, padding };
      const xs = [n, h, w, cin];
      const ws = [kh, kw, cin, cout];
      const ys = convOutputShape(convGeometry("test", xs, ws, opts));
      const x = randomTensor(gpu, rng, xs);
      const wt = randomTensor(gpu, rng, ws);
      const dy = randomTensor(gpu, rng, ys);
      const msg = `${variant} x [${xs}] w [${ws}] s${stride} p${padding}`;
      const o = { ...opts, variant };
      await expectClose(
        conv2d(x.t, wt.t, o),
        conv2dRef(x.data, xs, wt.data, ws, opts),
        kh * kw * cin,
        `forward ${msg}`,
      );
      await expectClose(
        conv2dInputGrad(dy.t, wt.t, xs, o),
        conv2dInputGradRef(dy.data, ys, wt.data, ws, xs, opts),
        kh * kw * cout,
        `input grad ${msg}`,
      );
      await expectClose(
        conv2dWeightGrad(x.t, dy.t, ws, o),
        conv2dWeightGradRef(x.data, xs, dy.data, ys, ws, opts),
        n * ys[1] * ys[2],
        `weight grad ${msg}`,
      );
      for (const t of [x.t, wt.t, dy.t]) t.dispose();
    }
  });

  gpuTest(`convTranspose2d ${variant} kernels match the reference`, async (gpu) => {
    const rng = new Rng(8);
    // [N, H, W, Cin, KH, KW, Cout, stride, padding, outputPadding]
    const cases = [
      [2, 4, 5, 8, 4, 4, 4, 2, 1, 0],
      [1, 3, 3, 3, 3, 3, 5, 2, 1, 1],
      [3, 5, 2, 4, 3, 3, 8, 1, 1, 0],
    ];
    for (const [n, h, w, cin, kh, kw, cout, stride, padding, outputPadding] of cases) {
      const opts = { stride, padding, outputPadding };
      const xs = [n, h, w, cin];
      const ws = [kh, kw, cout, cin];
      const ys = convTransposeOutputShape("test", xs, ws, opts);
      const x = randomTensor(gpu, rng, xs);
      const wt = randomTensor(gpu, rng, ws);
      const dy = randomTensor(gpu, rng, ys);
      const msg = `${variant} x [${xs}] w [${ws}] ${JSON.stringify(opts)}`;
      const o = { ...opts, variant };
      const y = convTranspose2d(x.t, wt.t, o);
      assertEquals(y.shape, ys);
      await expectClose(y, convTranspose2dRef(x.data, xs, wt.data, ws, opts), kh * kw * cin, msg);
      await expectClose(
        convTranspose2dInputGrad(dy.t, wt.t, o),
        convTranspose2dInputGradRef(dy.data, ys, wt.data, ws, opts),
        kh * kw * cout,
        `input grad ${msg}`,
      );
      await expectClose(
        convTranspose2dWeightGrad(x.t, dy.t, ws, o),
        convTranspose2dWeightGradRef(x.data, xs, dy.data, ys, ws, opts),
        n * h * w,
        `weight grad ${msg}`,
      );
      for (const t of [x.t, wt.t, dy.t]) t.dispose();
    }
  });
}

gpuTest(
  "conv2dWeightGrad splits a small gradient over the batch and sums the slices",
  async (gpu) => {
    const rng = new Rng(10);
    // [N, H, W, Cin, KH, KW, Cout]: one output tile, thousands of pixels; batch 10 splits unevenly.
    const cases = [[10, 10, 10, 3, 3, 3, 5], [6, 12, 12, 4, 3, 3, 8]];
    for (const variant of VARIANTS) {
      for (const [n, h, w, cin, kh, kw, cout] of cases) {
        const opts = { stride: 1, padding: 1 };
        const xs = [n, h, w, cin];
        const ws = [kh, kw, cin, cout];
        const ys = [n, h, w, cout];
        const x = randomTensor(gpu, rng, xs);
        const dy = randomTensor(gpu, rng, ys);
        const before = gpu.counters.dispatches;
        const dw = conv2dWeightGrad(x.t, dy.t, ws, { ...opts, variant });
        assertEquals(gpu.counters.dispatches - before, 2, "partial sums, then their sum");
        await expectClose(
          dw,
          conv2dWeightGradRef(x.data, xs, dy.data, ys, ws, opts),
          n * h * w,
          `${variant} x [${xs}] w [${ws}]`,
        );
        x.t.dispose();
        dy.t.dispose();
      }
    }
  },
);

gpuTest(
  "conv2d with an empty batch gives an empty output and a zero weight gradient",
  async (gpu) => {
    for (const variant of VARIANTS) {
      const [y, dw] = gpu.scope(() => {
        const x = gpu.tensor([], [0, 4, 4, 4]);
        const w = gpu.zeros([3, 3, 4, 4]);
        const dy = gpu.tensor([], [0, 4, 4, 4]);
        return [
          conv2d(x, w, { padding: 1, variant }),
          conv2dWeightGrad(x, dy, [3, 3, 4, 4], { padding: 1, variant }),
        ];
      });
      assertEquals(y.shape, [0, 4, 4, 4]);
      assertEquals(Array.from(await dw.read()), new Array(144).fill(0));
      y.dispose();
      dw.dispose();
    }
  },
);

gpuTest("conv kernels reject inconsistent shapes and options", (gpu) => {
  gpu.scope(() => {
    const x = gpu.zeros([1, 8, 8, 3]);
    const w = gpu.zeros([3, 3, 4, 8]);
    assertThrows(() => conv2d(x, w), RangeError, "Cannot conv2d: input [1,8,8,3] with weights");
    assertThrows(() => conv2d(x, gpu.zeros([9, 9, 3, 1])), RangeError, "larger than the padded");
    assertThrows(() => conv2d(x, gpu.zeros([3, 3, 3, 1]), { stride: 0 }), RangeError, "stride");
    assertThrows(
      () => conv2dInputGrad(gpu.zeros([1, 8, 8, 2]), gpu.zeros([3, 3, 3, 1]), [1, 8, 8, 3]),
      RangeError,
      "dy has shape [1,8,8,2], expected [1,6,6,1]",
    );
    assertThrows(
      () => convTranspose2d(x, gpu.zeros([4, 4, 2, 3]), { stride: 2, outputPadding: 2 }),
      RangeError,
      "output padding",
    );
  });
});

Deno.test("conv2d reference matches a hand-computed example", () => {
  // 3x3 image 1..9, 2x2 kernel of ones, stride 1, padding 0: sums of 2x2 windows.
  const y = conv2dRef([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1], [1, 1, 1, 1], [2, 2, 1, 1]);
  assertEquals(Array.from(y), [12, 16, 24, 28]);
  // Padding 1, stride 2: windows centred on the corners.
  const z = conv2dRef([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1], [1, 1, 1, 1], [2, 2, 1, 1], {
    stride: 2,
    padding: 1,
  });
  assertEquals(Array.from(z), [1, 5, 11, 28]);
});

Deno.test("conv reference gradients are the adjoints of the forward pass", () => {
  const rng = new Rng(9);
  for (const [n, h, w, cin, kh, kw, cout, stride, padding] of CASES.slice(0, 7)) {
    const opts = { stride, padding };
    const xs = [n, h, w, cin];
    const ws = [kh, kw, cin, cout];
    const ys = convOutputShape(convGeometry("test", xs, ws, opts));
    const x = rng.uniformArray(size(xs));
    const wt = rng.uniformArray(size(ws));
    const dy = rng.uniformArray(size(ys));
    // <conv(x, w), dy> = <x, dX(dy, w)> = <w, dW(x, dy)>: the loss dy·y is bilinear in x and w.
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += a[i] * b[i];
      return s;
    };
    const ref = dot(conv2dRef(x, xs, wt, ws, opts), dy);
    assertAlmostEquals(dot(x, conv2dInputGradRef(dy, ys, wt, ws, xs, opts)), ref, 1e-9);
    assertAlmostEquals(dot(wt, conv2dWeightGradRef(x, xs, dy, ys, ws, opts)), ref, 1e-9);
  }
});
