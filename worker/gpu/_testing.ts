/**
 * Test support for GPU code: one shared device per test file, random data, and
 * shapes that exercise tile edges.
 */
import { Gpu, type GpuOptions } from "./device.ts";

let shared: Promise<Gpu> | null = null;
let created: Gpu | null = null;

/**
 * The test file's shared device (created on first use, silent). Tests are deterministic: the
 * device uses the fixed profile that fits its adapter, unless the environment configures the
 * engine (`CGML_GPU_PROFILE`, read through infra's `loadGpuConfig`), so the device check can
 * run the test modules with `CGML_GPU_PROFILE=gpu` or with the tuned choice (`auto` and
 * `CGML_CACHE` holding a tuning). The device is destroyed when the test module unloads, so no
 * device outlives its module: the Vulkan driver then has nothing left to tear down at process
 * exit, where a software driver's teardown is not safe to race with.
 */
export function testGpu(): Promise<Gpu> {
  if (!shared) {
    shared = configured().then((opts) => Gpu.create({ ...opts, log: null }))
      .then((gpu) => (created = gpu));
    globalThis.addEventListener("unload", () => created?.destroy());
  }
  return shared;
}

/**
 * The configured engine options when CGML_GPU_PROFILE is set, else none (fixed profile). Tests
 * never tune (budget 0): with `auto` they run the table tuned and cached beforehand.
 */
async function configured(): Promise<GpuOptions> {
  if (!Deno.env.get("CGML_GPU_PROFILE")) return {};
  const { loadGpuConfig } = await import("../../infra/mod.ts");
  return { ...loadGpuConfig(), tuneBudgetMs: 0 };
}

/**
 * Registers a Deno test that receives the shared device. Resource and op sanitizers are off
 * because the device outlives a single test; the test checks that no GPU error was raised.
 */
export function gpuTest(name: string, fn: (gpu: Gpu) => Promise<void> | void): void {
  Deno.test({
    name,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const gpu = await testGpu();
      await fn(gpu);
      await gpu.sync();
    },
  });
}

/** Awkward sizes for kernel tests: 1, primes, off-tile sizes and batch 33. */
export const AWKWARD_SIZES = [1, 7, 13, 17, 33, 65] as const;
