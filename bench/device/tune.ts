/**
 * Device-check step `tune`: the start-up autotune on the adapter (configuration from the
 * environment: `CGML_CACHE` names a fresh folder, so the tuning is measured) as one JSON line:
 * time, completeness and the chosen variant of every family and shape class.
 * @module
 */
import { loadGpuConfig } from "../../infra/mod.ts";
import { Gpu } from "../../worker/gpu/mod.ts";
import { jsonLine } from "./args.ts";

if (import.meta.main) {
  const t0 = performance.now();
  const gpu = await Gpu.create({ ...loadGpuConfig(), profile: "auto" });
  const t = gpu.tuning!;
  console.log(jsonLine("tune", {
    seconds: Number(((performance.now() - t0) / 1000).toFixed(2)),
    tune_ms: t.record.ms,
    complete: t.record.complete,
    from_cache: t.fromCache,
    cache: t.path,
    table: t.record.table,
    timings_ms: t.record.timings,
  }));
  gpu.destroy();
}
