/**
 * Uniform parameters of recorded dispatches: packed into 64 KiB arenas at the device's uniform
 * offset alignment, written to the GPU once per submit, and reused after it.
 * @module
 */

const UNIFORM_ARENA_BYTES = 64 * 1024;

interface UniformArena {
  buffer: GPUBuffer;
  data: Uint8Array<ArrayBuffer>;
  used: number;
}

/** Where a dispatch's uniform bytes lie: a buffer range to bind. */
export interface UniformSlot {
  buffer: GPUBuffer;
  offset: number;
  size: number;
}

/** The uniform arenas of one device (see the module doc). */
export class UniformArenas {
  readonly #device: GPUDevice;
  readonly #align: number;
  #arenas: UniformArena[] = [];
  #free: UniformArena[] = [];

  constructor(device: GPUDevice) {
    this.#device = device;
    this.#align = Math.max(256, device.limits.minUniformBufferOffsetAlignment);
  }

  /** Copies `params` (zero-padded to 16 bytes) into the open arena and says where. */
  slot(params: ArrayBuffer): UniformSlot {
    const size = Math.max(16, Math.ceil(params.byteLength / 16) * 16);
    if (size > UNIFORM_ARENA_BYTES) throw new RangeError("Kernel parameters exceed 64 KiB");
    let arena = this.#arenas.at(-1);
    if (!arena || arena.used + size > UNIFORM_ARENA_BYTES) {
      arena = this.#free.pop() ?? {
        buffer: this.#device.createBuffer({
          size: UNIFORM_ARENA_BYTES,
          usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
          label: "uniform-arena",
        }),
        data: new Uint8Array(UNIFORM_ARENA_BYTES),
        used: 0,
      };
      this.#arenas.push(arena);
    }
    const offset = arena.used;
    arena.data.fill(0, offset, offset + size);
    arena.data.set(new Uint8Array(params), offset);
    arena.used = Math.ceil((offset + size) / this.#align) * this.#align;
    return { buffer: arena.buffer, offset, size };
  }

  /** Writes the bytes of the arenas in use to the GPU; call just before a submit. */
  upload(): void {
    for (const a of this.#arenas) {
      if (a.used > 0) this.#device.queue.writeBuffer(a.buffer, 0, a.data, 0, a.used);
    }
  }

  /** Frees the arenas in use for the next submit's parameters; call after a submit. */
  recycle(): void {
    for (const a of this.#arenas) a.used = 0;
    this.#free.push(...this.#arenas);
    this.#arenas = [];
  }

  /** Destroys the free arenas' buffers. */
  destroy(): void {
    for (const a of this.#free) a.buffer.destroy();
    this.#free = [];
  }
}
