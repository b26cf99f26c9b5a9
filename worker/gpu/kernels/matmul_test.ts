import { assertAllClose, assertEquals, assertThrows } from "../../../testing/assert.ts";
import type { Gpu } from "../device.ts";
import { Rng } from "../../lib/mod.ts";
import { gpuTest } from "../_testing.ts";
import { randomTensor } from "./_testing.ts";
import { matmul } from "./matmul.ts";
import { matmulRef } from "./matmul_ref.ts";
import { matmulGeometry } from "./matmul_shape.ts";
import { GEMM_VARIANT_NAMES, type GemmVariantName } from "./gemm_variants.ts";
import { matmulClass } from "./matmul.ts";
import { cpuLayout } from "./matmul_wgsl.ts";

const VARIANTS = GEMM_VARIANT_NAMES;
const TRANSPOSES = [[false, false], [true, false], [false, true], [true, true]] as const;

/** f32 accumulation error grows with the reduction length. */
function tolerance(k: number) {
  return { atol: 1e-5 * Math.sqrt(Math.max(k, 1)), rtol: 1e-5 };
}

async function check(
  gpu: Gpu,
  rng: Rng,
  aShape: number[],
  bShape: number[],
  opts: { transA?: boolean; transB?: boolean; variant: GemmVariantName },
): Promise<void> {
  const a = randomTensor(gpu, rng, aShape);
  const b = randomTensor(gpu, rng, bShape);
  const expected = matmulRef(a.data, aShape, b.data, bShape, opts);
  const out = matmul(a.t, b.t, opts);
  const geo = matmulGeometry(aShape, bShape, opts);
  assertEquals(out.shape, geo.outShape);
  assertAllClose(await out.read(), expected, {
    ...tolerance(geo.k),
    msg: `[${aShape}]·[${bShape}] ${JSON.stringify(opts)}`,
  });
  for (const t of [a.t, b.t, out]) t.dispose();
}

function operands(m: number, n: number, k: number, tA: boolean, tB: boolean, batch?: number) {
  const a = tA ? [k, m] : [m, k];
  const b = tB ? [n, k] : [k, n];
  return batch === undefined ? [a, b] : [[batch, ...a], [batch, ...b]];
}

for (const variant of VARIANTS) {
  gpuTest(`matmul ${variant} kernels match the reference for every transpose`, async (gpu) => {
    const rng = new Rng(1);
    // [m, n, k]: 1x1, primes, K % 4 != 0 (also with M and N multiples of 4, the case a
    // transposed-A weight gradient hits), off-tile edges, multiples of 4 (vec4 path).
    const shapes = [
      [1, 1, 1],
      [7, 13, 5],
      [13, 7, 17],
      [8, 8, 9],
      [33, 65, 21],
      [36, 40, 20],
      [20, 4, 8],
    ];
    for (const [tA, tB] of TRANSPOSES) {
      for (const [m, n, k] of shapes) {
        const [aShape, bShape] = operands(m, n, k, tA, tB);
        await check(gpu, rng, aShape, bShape, { transA: tA, transB: tB, variant });
      }
    }
  });

  gpuTest(`matmul ${variant} kernels handle batches and a shared b`, async (gpu) => {
    const rng = new Rng(2);
    for (const [tA, tB] of TRANSPOSES) {
      for (const batch of [1, 33]) {
        const [aShape, bShape] = operands(9, 12, 8, tA, tB, batch);
        await check(gpu, rng, aShape, bShape, { transA: tA, transB: tB, variant });
        await check(gpu, rng, aShape, bShape.slice(1), { transA: tA, transB: tB, variant });
      }
    }
  });

  gpuTest(`matmul ${variant} kernels cover many workgroups and both layouts`, async (gpu) => {
    const rng = new Rng(3);
    for (const [m, n, k] of [[130, 260, 68], [260, 36, 44], [20, 300, 12], [67, 131, 29]]) {
      for (const [tA, tB] of [[false, false], [true, true]] as const) {
        const [aShape, bShape] = operands(m, n, k, tA, tB);
        await check(gpu, rng, aShape, bShape, { transA: tA, transB: tB, variant });
      }
    }
  });
}

gpuTest("matmul with K = 0 gives zeros and empty operands give empty results", async (gpu) => {
  for (const variant of VARIANTS) {
    const [zeros, empty] = gpu.scope(() => [
      matmul(gpu.tensor([], [3, 0]), gpu.tensor([], [0, 5]), { variant }),
      matmul(gpu.tensor([], [0, 4]), gpu.zeros([4, 2]), { variant }),
    ]);
    assertEquals(Array.from(await zeros.read()), new Array(15).fill(0));
    assertEquals(empty.shape, [0, 2]);
    zeros.dispose();
    empty.dispose();
  }
});

gpuTest("matmul rejects mismatched shapes with a clear message", (gpu) => {
  gpu.scope(() => {
    const a = gpu.zeros([2, 3]);
    const b = gpu.zeros([4, 5]);
    assertThrows(() => matmul(a, b), RangeError, "Cannot matmul [2,3] by [4,5]: inner dimensions");
    assertThrows(() => matmul(gpu.zeros([2, 3, 4]), gpu.zeros([3, 4, 2])), RangeError, "batch");
    assertThrows(() => matmul(a, gpu.zeros([1, 3, 2])), RangeError, "batched a");
    assertThrows(() => matmul(gpu.zeros([3]), b), RangeError, "rank 2 or 3");
  });
});

Deno.test("cpu layout follows the shape class: skinny, tall and square", () => {
  assertEquals(cpuLayout(64, 4096).wgx, 16);
  assertEquals(cpuLayout(4096, 64).wgx, 4);
  assertEquals(cpuLayout(1024, 1024).wgx, 8);
  assertEquals(cpuLayout(1024, 1024).groups, [8, 8]);
  assertEquals(cpuLayout(1, 1).groups, [1, 1]);
});

Deno.test("cpu layout of a 16 × 32 block keeps square workgroup tiles", () => {
  assertEquals(cpuLayout(1024, 1024, { rows: 16, cols: 32 }), { wgx: 4, groups: [8, 4] });
});

Deno.test("a product falls in the shape class of the nearest representative", () => {
  assertEquals(matmulClass(1000, 900, 1100), "1024");
  assertEquals(matmulClass(64, 4000, 600), "64x4096x512");
  assertEquals(matmulClass(4096, 32, 512), "4096x64x512");
  assertEquals(matmulClass(128, 32, 64), "128x64x64");
  assertEquals(matmulClass(300, 300, 200), "256");
});

gpuTest("matmul refuses an unknown variant by name", (gpu) => {
  gpu.scope(() => {
    assertThrows(
      () => matmul(gpu.zeros([2, 2]), gpu.zeros([2, 2]), { variant: "fast" as GemmVariantName }),
      RangeError,
      'unknown kernel variant "fast"',
    );
  });
});

Deno.test("matmul reference computes a known product", () => {
  const out = matmulRef([1, 2, 3, 4, 5, 6], [2, 3], [1, 0, 0, 1, 1, 1], [3, 2]);
  assertEquals(Array.from(out), [4, 5, 10, 11]);
  const tt = matmulRef([1, 4, 2, 5, 3, 6], [3, 2], [1, 0, 1, 0, 1, 1], [2, 3], {
    transA: true,
    transB: true,
  });
  assertEquals(Array.from(tt), [4, 5, 10, 11]);
});
