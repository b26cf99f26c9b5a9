/**
 * Builders for kernel uniform parameters and workgroup grids.
 *
 * Parameters are packed as consecutive 4-byte scalars, so a WGSL struct of `u32`/`i32`/`f32`
 * fields in the same order reads them directly.
 */

/** Packs scalars into the byte layout of a WGSL struct of 4-byte fields. */
export class Params {
  readonly #view: DataView;
  readonly #bytes: ArrayBuffer;
  #n = 0;

  /** Room for `capacity` scalars. */
  constructor(capacity = 32) {
    this.#bytes = new ArrayBuffer(capacity * 4);
    this.#view = new DataView(this.#bytes);
  }

  /** Appends an unsigned 32-bit integer. */
  u32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw new RangeError(`Cannot pass ${v} as a u32 kernel parameter`);
    }
    this.#view.setUint32(4 * this.#n++, v, true);
    return this;
  }

  /** Appends a signed 32-bit integer. */
  i32(v: number): this {
    if (!Number.isInteger(v)) throw new RangeError(`Cannot pass ${v} as an i32 kernel parameter`);
    this.#view.setInt32(4 * this.#n++, v, true);
    return this;
  }

  /** Appends a 32-bit float. */
  f32(v: number): this {
    this.#view.setFloat32(4 * this.#n++, v, true);
    return this;
  }

  /** The packed bytes. */
  build(): ArrayBuffer {
    return this.#bytes.slice(0, Math.max(16, Math.ceil((this.#n * 4) / 16) * 16));
  }
}

/** Starts a parameter block. */
export function params(): Params {
  return new Params();
}

/** Largest workgroup count per dimension that WebGPU guarantees. */
export const MAX_WORKGROUPS_PER_DIM = 65535;

/**
 * Splits `count` workgroups into an (x, y) grid within the per-dimension limit.
 * In WGSL recover the linear index as `wid.x + wid.y * nwg.x` (with
 * `@builtin(num_workgroups) nwg`) and skip indices ≥ count.
 */
export function grid1d(count: number): [number, number] {
  if (count <= MAX_WORKGROUPS_PER_DIM) return [Math.max(1, count), 1];
  const y = Math.ceil(count / MAX_WORKGROUPS_PER_DIM);
  return [Math.ceil(count / y), y];
}

/** Ceiling division. */
export function ceilDiv(a: number, b: number): number {
  return Math.ceil(a / b);
}
