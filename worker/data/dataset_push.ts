/**
 * Pushing a local folder to `datasets/<name>/` in the store: parallel, resumable and idempotent.
 *
 * - Every file's key is checked first (`datasets/<name>/<relative path>` must be a valid key);
 *   a bad one stops the push before anything is uploaded, naming the file.
 * - An object already in the store with the same size and bytes (its ETag reproduced from the
 *   local file: MD5, or the parts' MD5s of a multipart upload) is skipped, so a push that was
 *   interrupted resumes where it stopped, and a second push uploads nothing.
 * - Uploads are single atomic PUTs (multipart above 16 MiB on S3), `concurrency` at once;
 *   files up to 16 MiB are read whole, larger ones streamed. Each returned ETag is checked
 *   against the local bytes.
 * - Manifest files and markers (`_READY`, any `_` file) go last, once every data object is in,
 *   so a trigger on them sees the whole dataset.
 * - Hidden files and folders (`.` names) and symbolic links are not pushed.
 *
 * @module
 */

import {
  DatasetError,
  datasetPrefix,
  type DatasetProblem,
  EtagVerifier,
  isDataPath,
  listObjects,
  mapPool,
  type ObjectInfo,
  type ObjectStore,
  validateKey,
} from "../../infra/mod.ts";

/** Files up to this size are uploaded from memory; larger ones are streamed. */
const WHOLE_FILE_BYTES = 16 << 20;

/** Progress of a push, after each file. */
export interface PushProgress {
  /** Files handled (uploaded or skipped) so far, of `totalFiles`. */
  files: number;
  totalFiles: number;
  /** Bytes handled so far, of `totalBytes`. */
  bytes: number;
  totalBytes: number;
  uploaded: number;
  skipped: number;
}

/** Options of {@link pushFolder}. */
export interface PushOptions {
  /** Files uploaded (or compared) at once; default 8. */
  concurrency?: number;
  /** Called after each file. */
  onProgress?: (p: PushProgress) => void;
}

/** What a push did. */
export interface PushReport {
  prefix: string;
  uploaded: number;
  uploadedBytes: number;
  /** Files already in the store with the same bytes. */
  skipped: number;
  /** Objects under the prefix that the folder does not have (left in place). */
  extra: number;
}

interface LocalFile {
  path: string;
  rel: string;
  key: string;
  size: number;
}

/** Pushes `folder` to `datasets/<name>/` (see the module doc). */
export async function pushFolder(
  store: ObjectStore,
  folder: string,
  name: string,
  options: PushOptions = {},
): Promise<PushReport> {
  const prefix = datasetPrefix(name);
  const files = await localFiles(folder, prefix);
  const remote = new Map((await listObjects(store, prefix)).map((o) => [o.key, o]));
  const progress: PushProgress = {
    files: 0,
    totalFiles: files.length,
    bytes: 0,
    totalBytes: files.reduce((n, f) => n + f.size, 0),
    uploaded: 0,
    skipped: 0,
  };
  let uploadedBytes = 0;
  const handle = async (file: LocalFile) => {
    const existing = remote.get(file.key);
    if (existing !== undefined && await sameBytes(file, existing)) {
      progress.skipped++;
    } else {
      await upload(store, file);
      progress.uploaded++;
      uploadedBytes += file.size;
    }
    progress.files++;
    progress.bytes += file.size;
    options.onProgress?.({ ...progress });
  };
  const concurrency = options.concurrency ?? 8;
  // Data first, then manifests and markers, so that a trigger on those sees every object.
  await mapPool(files.filter((f) => isDataPath(f.rel)), concurrency, handle);
  await mapPool(files.filter((f) => !isDataPath(f.rel)), concurrency, handle);
  const local = new Set(files.map((f) => f.key));
  return {
    prefix,
    uploaded: progress.uploaded,
    uploadedBytes,
    skipped: progress.skipped,
    extra: [...remote.keys()].filter((k) => !local.has(k)).length,
  };
}

/** Regular files under `folder` (no hidden names, no links), with their keys checked. */
async function localFiles(folder: string, prefix: string): Promise<LocalFile[]> {
  const root = folder.replace(/\/+$/, "") || "/";
  try {
    if (!(await Deno.stat(root)).isDirectory) {
      throw new DatasetError(`Cannot push ${folder}: it is not a folder`);
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new DatasetError(`Cannot push ${folder}: no such folder`);
    }
    throw e;
  }
  const files: LocalFile[] = [];
  const problems: DatasetProblem[] = [];
  const walk = async (rel: string) => {
    for await (const e of Deno.readDir(rel === "" ? root : `${root}/${rel}`)) {
      if (e.name.startsWith(".") || e.isSymlink) continue;
      const child = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory) {
        await walk(child);
        continue;
      }
      if (!e.isFile) continue;
      const path = `${root}/${child}`;
      try {
        validateKey(prefix + child);
      } catch (err) {
        problems.push({ key: path, message: (err as Error).message });
        continue;
      }
      files.push({ path, rel: child, key: prefix + child, size: (await Deno.stat(path)).size });
    }
  };
  await walk("");
  if (problems.length > 0) {
    throw new DatasetError(
      `Cannot push ${folder}: ${problems.length} file name(s) cannot be object keys`,
      problems,
    );
  }
  if (files.length === 0) throw new DatasetError(`Cannot push ${folder}: it holds no files`);
  return files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** True when the local file has the bytes the stored object's ETag and size describe. */
async function sameBytes(file: LocalFile, stored: ObjectInfo): Promise<boolean> {
  if (stored.size !== file.size) return false;
  const verdict = await verifyFile(file.path, stored.etag, stored.size);
  return verdict.ok && verdict.check !== "size";
}

async function verifyFile(path: string, etag: string, size: number) {
  const verifier = new EtagVerifier(etag, size);
  using f = await Deno.open(path, { read: true });
  for await (const chunk of f.readable) verifier.update(chunk);
  return verifier.finish();
}

async function upload(store: ObjectStore, file: LocalFile): Promise<void> {
  let etag: string;
  if (file.size <= WHOLE_FILE_BYTES) {
    const bytes = await Deno.readFile(file.path);
    etag = (await store.put(file.key, bytes)).etag;
  } else {
    using f = await Deno.open(file.path, { read: true });
    etag = (await store.put(file.key, f.readable, { size: file.size })).etag;
  }
  const verdict = await verifyFile(file.path, etag, file.size);
  if (!verdict.ok) {
    throw new DatasetError(
      `Cannot push ${file.path}: the store answered ETag ${etag} for ${file.key}, which does not ` +
        `match the file (${verdict.reason}); was it changed while uploading?`,
    );
  }
}
