/**
 * The byte formats underneath the stage artifacts: a packed set of typed arrays with a JSON
 * header (binary artifacts), JSON, and a packed folder of text files (mesh folders).
 * @module
 */

/** Arrays a packed artifact may hold. */
export type PackedArray = Float32Array | Int32Array;

/** A decoded packed artifact: JSON metadata plus named arrays with their shapes. */
export interface Packed<M = unknown> {
  meta: M;
  arrays: Record<string, PackedArray>;
  shapes: Record<string, number[]>;
}

interface Header {
  meta: unknown;
  arrays: Record<string, { dtype: "f32" | "i32"; shape: number[]; offset: number }>;
}

const MAGIC = 0x4b504743; // "CGPK"

/** Packs metadata and arrays (each with a shape; default: flat) into one byte array. */
export function pack(
  meta: unknown,
  arrays: Record<string, PackedArray>,
  shapes: Record<string, number[]> = {},
): Uint8Array {
  const header: Header = { meta, arrays: {} };
  let offset = 0;
  for (const [name, a] of Object.entries(arrays)) {
    const shape = shapes[name] ?? [a.length];
    if (shape.reduce((p, d) => p * d, 1) !== a.length) {
      throw new RangeError(
        `Cannot pack "${name}": shape [${shape}] does not hold ${a.length} values`,
      );
    }
    header.arrays[name] = { dtype: a instanceof Float32Array ? "f32" : "i32", shape, offset };
    offset += a.length * 4;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = 8 + Math.ceil(json.length / 4) * 4;
  const out = new Uint8Array(start + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, json.length, true);
  out.set(json, 8);
  for (const [name, a] of Object.entries(arrays)) {
    out.set(
      new Uint8Array(a.buffer, a.byteOffset, a.byteLength),
      start + header.arrays[name].offset,
    );
  }
  return out;
}

/** Reads a byte array written by {@link pack}. */
export function unpack<M = unknown>(bytes: Uint8Array): Packed<M> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8 || view.getUint32(0, true) !== MAGIC) {
    throw new Error("Cannot read the artifact: it is not a packed array set");
  }
  const length = view.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as Header;
  const start = 8 + Math.ceil(length / 4) * 4;
  const arrays: Record<string, PackedArray> = {};
  const shapes: Record<string, number[]> = {};
  for (const [name, { dtype, shape, offset }] of Object.entries(header.arrays)) {
    const n = shape.reduce((p, d) => p * d, 1);
    const copy = bytes.slice(start + offset, start + offset + n * 4).buffer;
    arrays[name] = dtype === "f32" ? new Float32Array(copy) : new Int32Array(copy);
    shapes[name] = shape;
  }
  return { meta: header.meta as M, arrays, shapes };
}

/** A named array of a packed artifact, checked to be float32. */
export function f32(p: Packed, name: string): Float32Array {
  const a = p.arrays[name];
  if (!(a instanceof Float32Array)) {
    throw new Error(`Cannot read array "${name}": missing or not f32`);
  }
  return a;
}

/** A named array of a packed artifact, checked to be int32. */
export function i32(p: Packed, name: string): Int32Array {
  const a = p.arrays[name];
  if (!(a instanceof Int32Array)) {
    throw new Error(`Cannot read array "${name}": missing or not i32`);
  }
  return a;
}

/** JSON as UTF-8 bytes. */
export function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/** Parses UTF-8 JSON bytes. */
export function decodeJson<T>(bytes: Uint8Array): T {
  return JSON.parse(new TextDecoder().decode(bytes)) as T;
}

/** Text files by relative path, packed into one artifact (a folder). */
export function packFolder(files: ReadonlyMap<string, string>): Uint8Array {
  const sorted = [...files].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  return encodeJson({ folder: 1, files: Object.fromEntries(sorted) });
}

/** The files of a packed folder. */
export function unpackFolder(bytes: Uint8Array): Map<string, string> {
  const value = decodeJson<{ folder?: number; files?: Record<string, string> }>(bytes);
  if (value.folder !== 1 || typeof value.files !== "object") {
    throw new Error("Cannot read the artifact: it is not a packed folder");
  }
  return new Map(Object.entries(value.files));
}
