/**
 * Benchmark runner: `deno run -A bench/main.ts <suite> [args…]` (or `deno task bench <suite>`).
 * Each suite prints one JSON line per measured case. To add a suite, write a module whose
 * default export is a {@link BenchSuite} and register it in {@link SUITES}.
 * @module
 */
import type { BenchSuite } from "./lib.ts";

/** Suites by name, loaded on demand so that one suite's dependencies never slow another. */
export const SUITES: Record<string, () => Promise<{ default: BenchSuite }>> = {
  kernels: () => import("./kernels.ts"),
  spectral: () => import("./spectral.ts"),
  http: () => import("./http.ts"),
  cgml: () => import("./cgml.ts"),
  inference: () => import("./inference.ts"),
};

async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  const load = name === undefined ? undefined : SUITES[name];
  if (!load) {
    const lines = await Promise.all(
      Object.entries(SUITES).map(async ([n, l]) => `  ${n}: ${(await l()).default.description}`),
    );
    console.error(
      `${name === undefined ? "Missing" : `Unknown suite "${name}";`} usage: deno run -A ` +
        `bench/main.ts <suite> [args]\nSuites:\n${lines.join("\n")}`,
    );
    return 2;
  }
  await (await load()).default.run(rest);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
