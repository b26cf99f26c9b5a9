/**
 * The safetensors file format for f32 tensors: an 8-byte little-endian u64 header length, a JSON
 * header `{name: {dtype: "F32", shape, data_offsets: [begin, end]}, "__metadata__": {...}}`
 * padded with spaces to a multiple of 8 bytes, then the raw little-endian f32 data.
 *
 * Decoding validates everything a damaged or foreign file can get wrong (header length, JSON,
 * dtypes, shapes, offsets out of range, overlaps, holes, truncation) and says which tensor is
 * at fault.
 */

/** One named tensor's shape and values. */
export interface TensorData {
  /** Dimensions, outermost first. */
  shape: readonly number[];
  /** Row-major values; length is the product of `shape`. */
  data: Float32Array;
}

/** The decoded content of a safetensors file. */
export interface Safetensors {
  /** Tensors in file order. */
  tensors: Map<string, TensorData>;
  /** The `__metadata__` string map (empty when absent). */
  metadata: Record<string, string>;
}

/** A malformed or mismatching safetensors file. */
export class SafetensorsError extends Error {
  override name = "SafetensorsError";
}

const METADATA_KEY = "__metadata__";
const MAX_HEADER_BYTES = 100 * 1024 * 1024;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Serialises named f32 tensors and string metadata to safetensors bytes. */
export function encodeSafetensors(
  tensors: Iterable<readonly [string, TensorData]>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  const entries: [string, TensorData][] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === METADATA_KEY || Object.hasOwn(header, name)) {
      throw new SafetensorsError(`Cannot write safetensors: duplicate or reserved name "${name}"`);
    }
    const size = checkedSize(t.shape, name, "write");
    if (t.data.length !== size) {
      throw new SafetensorsError(
        `Cannot write safetensors: tensor "${name}" of shape [${t.shape}] has ${t.data.length} values, expected ${size}`,
      );
    }
    header[name] = { dtype: "F32", shape: [...t.shape], data_offsets: [offset, offset + size * 4] };
    entries.push([name, t]);
    offset += size * 4;
  }
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string") {
      throw new SafetensorsError(`Cannot write safetensors: metadata "${k}" is not a string`);
    }
  }
  if (Object.keys(metadata).length > 0) header[METADATA_KEY] = metadata;
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLen = Math.ceil((8 + json.length) / 8) * 8 - 8;
  const out = new Uint8Array(8 + headerLen + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLen), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  const dataStart = 8 + headerLen;
  let pos = dataStart;
  for (const [, t] of entries) {
    writeF32(out, pos, t.data);
    pos += t.data.length * 4;
  }
  return out;
}

/** Parses and validates safetensors bytes (F32 tensors only). */
export function decodeSafetensors(bytes: Uint8Array): Safetensors {
  if (bytes.length < 8) {
    throw fail(`the file has ${bytes.length} bytes, fewer than the 8-byte header length`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen64 = view.getBigUint64(0, true);
  if (headerLen64 === 0n || headerLen64 > BigInt(MAX_HEADER_BYTES)) {
    throw fail(`bad header length ${headerLen64} (expected 1..${MAX_HEADER_BYTES} bytes)`);
  }
  const headerLen = Number(headerLen64);
  if (8 + headerLen > bytes.length) {
    throw fail(
      `header length ${headerLen} exceeds the ${bytes.length - 8} bytes after it (truncated file?)`,
    );
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(
      bytes.subarray(8, 8 + headerLen),
    ));
  } catch (e) {
    throw fail(`the header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) {
    throw fail("the header is not a JSON object");
  }
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const metadata = parseMetadata((header as Record<string, unknown>)[METADATA_KEY]);
  const spans: { name: string; begin: number; end: number; shape: number[] }[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) continue;
    spans.push({ name, ...parseEntry(name, raw, dataLen) });
  }
  const sorted = [...spans].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let prev = "";
  for (const s of sorted) {
    if (s.begin < covered) {
      throw fail(`tensors "${prev}" and "${s.name}" overlap (bytes ${s.begin}..${covered})`);
    }
    if (s.begin > covered) {
      throw fail(`data bytes ${covered}..${s.begin} belong to no tensor`);
    }
    covered = s.end;
    prev = s.name;
  }
  if (covered !== dataLen) {
    throw fail(`the data section has ${dataLen} bytes but the tensors cover ${covered}`);
  }
  const tensors = new Map<string, TensorData>();
  for (const s of spans) {
    tensors.set(s.name, {
      shape: s.shape,
      data: readF32(bytes, dataStart + s.begin, s.end - s.begin),
    });
  }
  return { tensors, metadata };
}

function parseEntry(
  name: string,
  raw: unknown,
  dataLen: number,
): { begin: number; end: number; shape: number[] } {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw fail(`tensor "${name}" is not described by an object`);
  }
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (dtype !== "F32") {
    throw fail(`tensor "${name}" has dtype ${JSON.stringify(dtype)}, expected "F32"`);
  }
  if (!Array.isArray(shape)) throw fail(`tensor "${name}" has no shape array`);
  const size = checkedSize(shape, name, "read");
  if (
    !Array.isArray(offsets) || offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]
  ) {
    throw fail(`tensor "${name}" has bad data_offsets ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as number[];
  if (end - begin !== size * 4) {
    throw fail(
      `tensor "${name}" of shape [${shape}] needs ${size * 4} bytes but data_offsets span ${
        end - begin
      }`,
    );
  }
  if (end > dataLen) {
    throw fail(
      `tensor "${name}" ends at byte ${end} but the data section has ${dataLen} (truncated file?)`,
    );
  }
  return { begin, end, shape: shape as number[] };
}

function parseMetadata(raw: unknown): Record<string, string> {
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw fail(`"${METADATA_KEY}" is not an object`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== "string") throw fail(`metadata "${k}" is not a string`);
    out[k] = v;
  }
  return out;
}

function checkedSize(shape: readonly unknown[], name: string, action: string): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || (d as number) < 0) {
      throw new SafetensorsError(
        `Cannot ${action} safetensors: tensor "${name}" has bad shape ${JSON.stringify(shape)}`,
      );
    }
    n *= d as number;
  }
  return n;
}

function writeF32(out: Uint8Array, pos: number, data: Float32Array): void {
  if (LITTLE_ENDIAN_HOST) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pos);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset);
  for (let i = 0; i < data.length; i++) view.setFloat32(pos + 4 * i, data[i], true);
}

function readF32(bytes: Uint8Array, pos: number, byteLen: number): Float32Array {
  const out = new Float32Array(byteLen / 4);
  if (LITTLE_ENDIAN_HOST) {
    new Uint8Array(out.buffer).set(bytes.subarray(pos, pos + byteLen));
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(pos + 4 * i, true);
  return out;
}

function fail(reason: string): SafetensorsError {
  return new SafetensorsError(`Cannot read safetensors: ${reason}`);
}
