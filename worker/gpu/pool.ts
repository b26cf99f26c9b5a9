/**
 * GPU buffer pool keyed by size class.
 *
 * Released buffers are parked until the next queue submit (commands already recorded may still
 * read them, and `writeBuffer` is ordered before the pending command buffer), then become free
 * for reuse. Free buffers are destroyed explicitly by {@link BufferPool.trim}; nothing is left
 * to garbage collection.
 */

/** Usage flags shared by every tensor storage buffer. */
export const STORAGE_USAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC |
  GPUBufferUsage.COPY_DST;

/** Smallest pooled allocation, in bytes. */
export const MIN_BUFFER_BYTES = 256;

/**
 * Rounds a byte count up to its size class: four classes per power of two
 * (1, 1.25, 1.5, 1.75 × 2^k), so at most 25 % of a buffer is slack.
 */
export function sizeClass(bytes: number): number {
  if (bytes <= MIN_BUFFER_BYTES) return MIN_BUFFER_BYTES;
  const p = 2 ** Math.floor(Math.log2(bytes));
  const step = p / 4;
  const c = Math.ceil(bytes / step) * step;
  return Math.ceil(c / 256) * 256;
}

/** Counters describing the pool's GPU memory. */
export interface PoolStats {
  /** Bytes in buffers the pool created and has not destroyed. */
  bytesAllocated: number;
  /** Bytes in buffers currently handed out. */
  bytesInUse: number;
  /** Buffers created over the pool's lifetime. */
  buffersCreated: number;
  /** Buffers currently waiting on the free lists. */
  buffersFree: number;
}

/** A size-class pool of storage buffers for one device. */
export class BufferPool {
  readonly #device: GPUDevice;
  readonly #free = new Map<number, GPUBuffer[]>();
  #parked: GPUBuffer[] = [];
  #bytesAllocated = 0;
  #bytesInUse = 0;
  #buffersCreated = 0;

  /** Creates a pool on `device`. */
  constructor(device: GPUDevice) {
    this.#device = device;
  }

  /** Hands out a buffer of at least `bytes` bytes (contents undefined). */
  acquire(bytes: number, label = "tensor"): GPUBuffer {
    const size = sizeClass(bytes);
    const list = this.#free.get(size);
    let buf = list?.pop();
    if (!buf) {
      buf = this.#device.createBuffer({ size, usage: STORAGE_USAGE, label });
      this.#bytesAllocated += size;
      this.#buffersCreated++;
    }
    this.#bytesInUse += size;
    return buf;
  }

  /** Returns a buffer; it becomes reusable after the next submit. */
  release(buf: GPUBuffer): void {
    this.#bytesInUse -= buf.size;
    this.#parked.push(buf);
  }

  /** Called right after a queue submit: parked buffers become free. */
  afterSubmit(): void {
    for (const buf of this.#parked) {
      const list = this.#free.get(buf.size);
      if (list) list.push(buf);
      else this.#free.set(buf.size, [buf]);
    }
    this.#parked = [];
  }

  /** Destroys every free buffer (parked ones wait for the next submit). */
  trim(): void {
    for (const list of this.#free.values()) {
      for (const buf of list) {
        this.#bytesAllocated -= buf.size;
        buf.destroy();
      }
    }
    this.#free.clear();
  }

  /** Current counters. */
  stats(): PoolStats {
    let buffersFree = 0;
    for (const list of this.#free.values()) buffersFree += list.length;
    return {
      bytesAllocated: this.#bytesAllocated,
      bytesInUse: this.#bytesInUse,
      buffersCreated: this.#buffersCreated,
      buffersFree,
    };
  }
}
