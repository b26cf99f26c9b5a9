/**
 * Opening the WebGPU device: the adapter (high-performance preference), the device with the
 * adapter's large limits and the features the engine can use, and what the adapter says it is.
 * @module
 */
import { GpuError } from "./errors.ts";

const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|swiftshader|softpipe|software/i;

/** An open device and its adapter's facts. */
export interface OpenedDevice {
  device: GPUDevice;
  info: GPUAdapterInfo;
  /** The adapter's name, as specific as it reports. */
  description: string;
  /** A fallback (software) adapter: by its own flag or its name. */
  isFallback: boolean;
}

/**
 * Requests the adapter and a device with its large limits. Throws a clear, actionable
 * {@link GpuError} when there is no WebGPU or no adapter.
 */
export async function openDevice(): Promise<OpenedDevice> {
  if (typeof navigator === "undefined" || !("gpu" in navigator) || !navigator.gpu) {
    throw new GpuError(
      "Cannot find WebGPU: this runtime has no navigator.gpu (use Deno 2 or newer)",
    );
  }
  ensureRuntimeDir();
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) {
    throw new GpuError(
      "Cannot find a WebGPU adapter: install a GPU driver with Vulkan support, or a CPU " +
        "implementation with `apt-get install -y mesa-vulkan-drivers`, and make sure " +
        "XDG_RUNTIME_DIR points to a writable directory",
    );
  }
  const lim = adapter.limits;
  const requiredLimits: Record<string, number> = {
    maxBufferSize: lim.maxBufferSize,
    maxStorageBufferBindingSize: lim.maxStorageBufferBindingSize,
    maxComputeWorkgroupStorageSize: lim.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: lim.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupSizeX: lim.maxComputeWorkgroupSizeX,
    maxComputeWorkgroupSizeY: lim.maxComputeWorkgroupSizeY,
    maxComputeWorkgroupSizeZ: lim.maxComputeWorkgroupSizeZ,
    maxStorageBuffersPerShaderStage: lim.maxStorageBuffersPerShaderStage,
  };
  const wanted: GPUFeatureName[] = ["shader-f16", "timestamp-query"];
  const requiredFeatures = wanted.filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  const info = adapter.info;
  const description = info.description || info.device || info.vendor || "unknown adapter";
  const isFallback = Boolean(
    (info as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter,
  ) || SOFTWARE_ADAPTER.test(description);
  return { device, info, description, isFallback };
}

/** Mesa's Vulkan loader wants a writable XDG_RUNTIME_DIR; provide a private one if unset. */
function ensureRuntimeDir(): void {
  let current: string | undefined;
  try {
    current = Deno.env.get("XDG_RUNTIME_DIR");
  } catch {
    return;
  }
  if (current) return;
  const dir = `${Deno.env.get("TMPDIR") ?? "/tmp"}/cgml-runtime-${Deno.uid() ?? 0}`;
  try {
    Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
    Deno.env.set("XDG_RUNTIME_DIR", dir);
  } catch {
    // Without permission to create it the adapter request reports its own error.
  }
}
