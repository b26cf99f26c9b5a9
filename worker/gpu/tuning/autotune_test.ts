import { assert, assertEquals, assertRejects } from "../../../testing/assert.ts";
import { Gpu, GpuError } from "../device.ts";
import { gpuTest } from "../_testing.ts";
import { matmul } from "../kernels/matmul.ts";
import type { GemmVariantName } from "../kernels/gemm_variants.ts";
import { tuneKernels } from "./autotune.ts";
import { TUNE_FILE } from "./cache.ts";
import { KernelChoices } from "./choices.ts";
import type { TuneFamily } from "./families.ts";

const IDENTITY = {
  description: "test adapter",
  vendor: "0",
  architecture: "",
  device: "0",
  driver: "test",
};

/** A small matmul family: two cpu blocks and a tile on two classes (cheap to measure). */
function smallFamily(): TuneFamily {
  const problem = (shapeClass: string, m: number) => ({
    shapeClass,
    work: 2 * m * m * m,
    prepare: (gpu: Gpu) => {
      const a = gpu.zeros([m, m]);
      const b = gpu.zeros([m, m]);
      return {
        run: (v: string) => matmul(a, b, { variant: v as GemmVariantName }).dispose(),
        dispose: () => [a, b].forEach((t) => t.dispose()),
      };
    },
  });
  return {
    family: "matmul",
    candidates: ["cpu", "gpu", "nonexistent"],
    problems: [problem("64", 64), problem("128", 128)],
  };
}

gpuTest("autotune measures within its budget, caches the table and reuses it", async (gpu) => {
  const dir = await Deno.makeTempDir();
  const lines: string[] = [];
  const opts = {
    identity: IDENTITY,
    families: [smallFamily()],
    cacheDir: dir,
    budgetMs: 8000,
    log: (l: string) => lines.push(l),
  };
  const t0 = performance.now();
  const first = await tuneKernels(gpu, opts);
  assert(performance.now() - t0 < 8000 + 3000, "the budget bounds the tuning");
  assertEquals(first.fromCache, false);
  assert(first.record.complete, "two small classes fit the budget");
  for (const c of ["64", "128"]) {
    assert(["cpu", "gpu"].includes(first.record.table.matmul[c]), `class ${c} got a variant`);
  }
  assert(lines.some((l) => l.includes("nonexistent failed")), "a failing candidate is reported");
  assert(lines.some((l) => l.startsWith("[gpu] kernels tuned")), lines.join("\n"));
  const saved = JSON.parse(await Deno.readTextFile(`${dir}/${TUNE_FILE}`));
  assertEquals(Object.keys(saved.adapters).length, 1);
  const before = gpu.counters.dispatches;
  const second = await tuneKernels(gpu, opts);
  assertEquals(second.fromCache, true);
  assertEquals(second.record.table, first.record.table);
  assertEquals(gpu.counters.dispatches, before, "a cached table measures nothing");
  await Deno.remove(dir, { recursive: true });
});

gpuTest("a corrupt cache file is ignored with a warning and replaced", async (gpu) => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/${TUNE_FILE}`, "{ not json");
  const lines: string[] = [];
  const out = await tuneKernels(gpu, {
    identity: IDENTITY,
    families: [smallFamily()],
    cacheDir: dir,
    log: (l) => lines.push(l),
  });
  assertEquals(out.fromCache, false);
  assert(lines.some((l) => l.includes("ignoring corrupt tuning cache")), lines.join("\n"));
  const saved = JSON.parse(await Deno.readTextFile(`${dir}/${TUNE_FILE}`));
  assertEquals(saved.format, 1);
  await Deno.remove(dir, { recursive: true });
});

gpuTest("a tuning cut short by its budget continues at the next start", async (gpu) => {
  const dir = await Deno.makeTempDir();
  const opts = {
    identity: IDENTITY,
    families: [smallFamily()],
    cacheDir: dir,
    log: () => {},
  };
  const cut = await tuneKernels(gpu, { ...opts, budgetMs: 1 });
  assertEquals(cut.record.complete, false);
  assertEquals(cut.record.table.matmul, undefined, "a 1 ms budget finishes no class");
  const partial = Object.values(cut.record.timings.matmul ?? {}).flatMap((t) => Object.keys(t));
  assertEquals(partial.length, 1, "but its one measurement is kept");
  const before = gpu.counters.dispatches;
  const cached = await tuneKernels(gpu, { ...opts, budgetMs: 0 });
  assertEquals(cached.record.timings, cut.record.timings, "budget 0 measures nothing");
  assertEquals(gpu.counters.dispatches, before);
  const resumed = await tuneKernels(gpu, { ...opts, budgetMs: 8000 });
  assertEquals(resumed.fromCache, false);
  assertEquals(resumed.record.complete, true);
  assertEquals(Object.keys(resumed.record.table.matmul).sort(), ["128", "64"]);
  assertEquals(
    resumed.record.timings.matmul["64"][partial[0]],
    cut.record.timings.matmul["64"][partial[0]],
    "the kept measurement is reused",
  );
  await Deno.remove(dir, { recursive: true });
});

gpuTest("every start makes progress, even when one measurement exceeds the budget", async (gpu) => {
  const dir = await Deno.makeTempDir();
  const opts = {
    identity: IDENTITY,
    families: [smallFamily()],
    cacheDir: dir,
    budgetMs: 1,
    log: () => {},
  };
  const count = (t: Record<string, Record<string, unknown>> | undefined) =>
    Object.values(t ?? {}).reduce((n, c) => n + Object.keys(c).length, 0);
  let measured = 0;
  let starts = 0;
  for (; starts < 10; starts++) {
    const out = await tuneKernels(gpu, opts);
    if (out.fromCache) break;
    const now = count(out.record.timings.matmul);
    assert(now > measured, `start ${starts + 1} measured nothing new`);
    measured = now;
  }
  assert(starts < 10, "a 1 ms budget still finishes after a few starts");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("kernel choices fall back to the profile's default where the table is silent", () => {
  const c = new KernelChoices("cpu", { matmul: { "1024": "cpu-16x32" } });
  assertEquals(c.pick("matmul", "1024"), "cpu-16x32");
  assertEquals(c.pick("matmul", "256"), "cpu");
  assertEquals(c.pick("conv_fwd", "4096x64x512"), "cpu");
  assertEquals(new KernelChoices("gpu").pick("matmul", "1024"), "gpu");
});

gpuTest("requireGpu refuses a fallback adapter with a clear message", async (gpu) => {
  if (!gpu.adapter.isFallback) return;
  await assertRejects(
    () => Gpu.create({ requireGpu: true, log: null }),
    GpuError,
    "a hardware GPU is required",
  );
});

Deno.test({
  name: "Gpu.create with profile auto tunes within its budget, caches, and continues from there",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    const lines: string[] = [];
    const opts = { profile: "auto", tuneCacheDir: dir, tuneBudgetMs: 1500 } as const;
    const gpu = await Gpu.create({ ...opts, log: (l) => lines.push(l) });
    assert(gpu.adapter.tuned && gpu.tuning !== null, "tuned");
    assertEquals(gpu.kernels.tuned, gpu.tuning.record.table);
    gpu.destroy();
    const again = await Gpu.create({ ...opts, log: (l) => lines.push(l) });
    assertEquals(again.tuning?.record.adapter, gpu.tuning.record.adapter);
    for (const [family, classes] of Object.entries(gpu.tuning.record.table)) {
      for (const c of Object.keys(classes)) {
        assert(again.kernels.tuned?.[family]?.[c] !== undefined, `${family} ${c} kept`);
      }
    }
    again.destroy();
    assert(lines.some((l) => l.startsWith("[gpu] kernels tuned")), lines.join("\n"));
    await Deno.remove(dir, { recursive: true });
  },
});
