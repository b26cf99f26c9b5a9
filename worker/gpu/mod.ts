/**
 * WebGPU engine: device, tensors, buffer pool and kernels.
 * @module
 */
export {
  type AdapterSummary,
  type Dispatch,
  Gpu,
  GpuError,
  type GpuOptions,
  type KernelProfile,
} from "./device.ts";
export { BufferPool, type PoolStats, sizeClass } from "./pool.ts";
export { shapeSize, Tensor } from "./tensor.ts";
export { ceilDiv, grid1d, Params, params } from "./params.ts";
export { workgroupTotalWgsl } from "./wgsl.ts";
