/**
 * f32 tensors stored contiguously (row-major) in pooled GPU buffers.
 *
 * Storage is reference-counted so that reshaped views share one buffer; the buffer goes back
 * to the pool when the last view is disposed. Nothing relies on garbage collection.
 */
import type { Gpu } from "./device.ts";

interface Storage {
  buffer: GPUBuffer;
  refs: number;
}

/** Number of elements of a shape; validates that every dimension is a non-negative integer. */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new RangeError(`Cannot use shape [${shape}]: dimensions must be non-negative integers`);
    }
    n *= d;
  }
  return n;
}

/** A shaped view on an f32 GPU buffer. */
export class Tensor {
  /** The device the storage lives on. */
  readonly gpu: Gpu;
  /** Dimensions, outermost first. */
  readonly shape: readonly number[];
  /** Element count. */
  readonly size: number;
  #storage: Storage | null;

  private constructor(gpu: Gpu, shape: readonly number[], storage: Storage) {
    this.gpu = gpu;
    this.shape = Object.freeze([...shape]);
    this.size = shapeSize(shape);
    this.#storage = storage;
    gpu.track(this);
  }

  /** Allocates a new tensor from the device's pool (contents undefined). */
  static allocate(gpu: Gpu, shape: readonly number[]): Tensor {
    const size = shapeSize(shape);
    const buffer = gpu.pool.acquire(Math.max(4, size * 4));
    return new Tensor(gpu, shape, { buffer, refs: 1 });
  }

  /** The underlying buffer (throws once disposed). */
  get buffer(): GPUBuffer {
    if (!this.#storage) throw new Error(`Cannot use a disposed tensor of shape [${this.shape}]`);
    return this.#storage.buffer;
  }

  /** True after {@link Tensor.dispose}. */
  get disposed(): boolean {
    return this.#storage === null;
  }

  /** Number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /** A view with another shape of the same element count, sharing the storage. */
  reshape(shape: readonly number[]): Tensor {
    const storage = this.#storage;
    if (!storage) throw new Error(`Cannot reshape a disposed tensor of shape [${this.shape}]`);
    const size = shapeSize(shape);
    if (size !== this.size) {
      throw new RangeError(`Cannot reshape [${this.shape}] (${this.size}) to [${shape}] (${size})`);
    }
    storage.refs++;
    return new Tensor(this.gpu, shape, storage);
  }

  /** Releases this view; the buffer returns to the pool when no view is left. */
  dispose(): void {
    const storage = this.#storage;
    if (!storage) return;
    this.#storage = null;
    this.gpu.untrack(this);
    if (--storage.refs === 0) this.gpu.pool.release(storage.buffer);
  }

  /** Copies the values back to the CPU (submits and waits). */
  async read(): Promise<Float32Array> {
    if (this.size === 0) return new Float32Array(0);
    return new Float32Array(await this.gpu.readBuffer(this.buffer, this.size * 4));
  }

  /** Overwrites the values (ordered after all work recorded so far). */
  write(data: ArrayLike<number>): void {
    if (data.length !== this.size) {
      throw new RangeError(
        `Cannot write ${data.length} values into a tensor of shape [${this.shape}]`,
      );
    }
    if (this.size === 0) return;
    const arr = data instanceof Float32Array ? data : Float32Array.from(data);
    this.gpu.writeBuffer(this.buffer, arr);
  }
}
