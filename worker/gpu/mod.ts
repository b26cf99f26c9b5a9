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
  type ProfileSetting,
} from "./device.ts";
export { KernelChoices, type KernelFamily, type TunedTable } from "./tuning/choices.ts";
export { summary as tuneSummary, type TuneOutcome } from "./tuning/autotune.ts";
export { BufferPool, type PoolStats, sizeClass } from "./pool.ts";
export { shapeSize, Tensor } from "./tensor.ts";
export { ceilDiv, grid1d } from "./params.ts";
export {
  Kernel,
  kernel,
  type KernelDispatch,
  type KernelSpec,
  read,
  readWrite,
  type StorageBinding,
  type UniformDecl,
  type UniformType,
  type UniformValues,
} from "./kernel.ts";
