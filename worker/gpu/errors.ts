/** Errors of the WebGPU engine. */

/** A GPU error (validation, out-of-memory, internal, device loss) naming the kernels involved. */
export class GpuError extends Error {
  override name = "GpuError";
}
