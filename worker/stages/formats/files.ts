/**
 * A bundle of binary files by relative path, as one artifact (`file-folder` outputs such as an
 * inference's reconstructions, and `published-model` artifacts): magic `CGFB`, a u32 header
 * length, a JSON header `{files: {path: [offset, size]}}`, then the bytes.
 * @module
 */

const MAGIC = 0x42464743; // "CGFB"

/** Packs `files` (paths sorted) into one byte array. */
export function packFiles(files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const sorted = [...files].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  const index: Record<string, [number, number]> = {};
  let offset = 0;
  for (const [path, bytes] of sorted) {
    index[path] = [offset, bytes.length];
    offset += bytes.length;
  }
  const header = new TextEncoder().encode(JSON.stringify({ files: index }));
  const out = new Uint8Array(8 + header.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, header.length, true);
  out.set(header, 8);
  for (const [path, bytes] of sorted) out.set(bytes, 8 + header.length + index[path][0]);
  return out;
}

/** The files of a bundle written by {@link packFiles}. */
export function unpackFiles(bytes: Uint8Array): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8 || view.getUint32(0, true) !== MAGIC) {
    throw new Error("Cannot read the artifact: it is not a file bundle");
  }
  const length = view.getUint32(4, true);
  const start = 8 + length;
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, start))) as {
    files?: Record<string, [number, number]>;
  };
  const out = new Map<string, Uint8Array>();
  for (const [path, [offset, size]] of Object.entries(header.files ?? {})) {
    if (start + offset + size > bytes.length) {
      throw new Error(`Cannot read "${path}" of the file bundle: it is truncated`);
    }
    out.set(path, bytes.slice(start + offset, start + offset + size));
  }
  return out;
}
