/**
 * Device-check step `adapter`: the WebGPU adapter's facts as one JSON line — name, vendor,
 * whether it is a fallback, `shader-f16`, subgroup sizes, every feature and the compute limits.
 * @module
 */
import { Gpu } from "../../worker/gpu/mod.ts";
import { jsonLine } from "./args.ts";

const LIMITS = [
  "maxBufferSize",
  "maxStorageBufferBindingSize",
  "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupsPerDimension",
  "maxStorageBuffersPerShaderStage",
] as const;

if (import.meta.main) {
  // Gpu.create prepares what Mesa needs (XDG_RUNTIME_DIR) and reports a missing adapter.
  const gpu = await Gpu.create({ log: null });
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: "high-performance" });
  const info = adapter!.info as GPUAdapterInfo & Record<string, unknown>;
  const features = [...adapter!.features].sort();
  console.log(jsonLine("adapter", {
    description: gpu.adapter.description,
    vendor: gpu.adapter.vendor,
    architecture: gpu.adapter.architecture,
    device: gpu.adapter.device,
    driver: gpu.adapter.driver,
    fallback: gpu.adapter.isFallback,
    shader_f16: features.includes("shader-f16"),
    subgroups: features.includes("subgroups"),
    subgroup_sizes: [info.subgroupMinSize ?? null, info.subgroupMaxSize ?? null],
    features,
    limits: Object.fromEntries(LIMITS.map((k) => [k, adapter!.limits[k]])),
    cores: navigator.hardwareConcurrency,
    deno: Deno.version.deno,
  }));
  gpu.destroy();
}
