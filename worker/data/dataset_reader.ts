/**
 * Reads a bucket dataset onto the worker's disk: every object of a manifest is streamed (a
 * bounded number at once, one chunk of each in memory), checked against its ETag while it
 * streams (`EtagVerifier`: MD5 for single-part uploads, the parts' MD5s for multipart ones built
 * with a common part size, the byte count otherwise), and kept in a cache folder named by ETag
 * and size. A second job on the same data finds every object there and downloads nothing.
 *
 * A corrupt, truncated, changed or missing object fails the read with a {@link DatasetReadError}
 * naming the key and the reason; it never enters the cache (bytes land in a temporary file that
 * is renamed into place only once verified), so the cache holds only verified objects.
 *
 * @module
 */

import { createHash } from "node:crypto";
import {
  DatasetError,
  type DatasetManifest,
  diffManifests,
  type EtagCheck,
  EtagVerifier,
  loadManifestSnapshot,
  type ManifestEntry,
  mapPool,
  NotFoundError,
  type ObjectStore,
  readDatasetManifest,
} from "../../infra/mod.ts";

/** An object of the dataset could not be read; names the key and the reason. */
export class DatasetReadError extends Error {
  override name = "DatasetReadError";
  /** Creates the error for the object at `key`. */
  constructor(readonly key: string, readonly reason: string) {
    super(`Cannot read dataset object ${key}: ${reason}`);
  }
}

/** Options of {@link fetchDataset}. */
export interface FetchDatasetOptions {
  /** The worker's object cache folder (created when missing), e.g. `<workDir>/objects`. */
  cacheDir: string;
  /** Objects downloaded at once (default 8). */
  concurrency?: number;
  /** Called after each object, downloaded or found in the cache. */
  onProgress?: (done: number, total: number) => void;
}

/** One object of the dataset on local disk. */
export interface FetchedObject {
  entry: ManifestEntry;
  /** The cached file (read-only by convention: it is shared by every job on the worker). */
  file: string;
  /** True when it was already in the cache. */
  cached: boolean;
  /** How the download was checked; `cache` for cache hits (checked when first downloaded). */
  check: EtagCheck | "cache";
}

/** What {@link fetchDataset} did. */
export interface FetchReport {
  /** Every object of the manifest, in manifest order. */
  objects: FetchedObject[];
  /** Objects downloaded now. */
  downloaded: number;
  /** Bytes downloaded now. */
  downloadedBytes: number;
  /** Objects found in the cache. */
  cached: number;
}

/** The cache file of an object with this ETag and size (`<cacheDir>/ab/<etag>-<size>`). */
export function cachePath(cacheDir: string, etag: string, size: number): string {
  const name = /^[0-9a-f]{32}(-\d+)?$/i.test(etag)
    ? etag.toLowerCase()
    : createHash("sha256").update(etag).digest("hex");
  return `${cacheDir}/${name.slice(0, 2)}/${name}-${size}`;
}

/** Temporary folders of downloads older than this are left over from a crash: removed. */
const STALE_TMP_MS = 60 * 60 * 1000;

/**
 * Makes every object of `manifest` available on local disk (see the module doc). Throws the
 * first {@link DatasetReadError} after the downloads already running have settled; the
 * objects verified until then stay cached.
 */
export async function fetchDataset(
  store: ObjectStore,
  manifest: DatasetManifest,
  options: FetchDatasetOptions,
): Promise<FetchReport> {
  const cacheDir = options.cacheDir.replace(/\/+$/, "");
  await Deno.mkdir(`${cacheDir}/tmp`, { recursive: true });
  await removeStaleTemps(`${cacheDir}/tmp`);
  const tmpDir = await Deno.makeTempDir({ dir: `${cacheDir}/tmp` });
  let done = 0;
  // Objects with the same bytes (duplicates in a dataset) share one cache file and one download.
  const shared = new Map<string, Promise<EtagCheck | "cache">>();
  try {
    const objects = await mapPool(manifest.entries, options.concurrency ?? 8, async (entry) => {
      const file = cachePath(cacheDir, entry.etag, entry.size);
      let obtained = shared.get(file);
      const first = obtained === undefined;
      if (obtained === undefined) {
        obtained = isFileOfSize(file, entry.size).then((hit) =>
          hit ? "cache" as const : download(store, entry, file, tmpDir)
        );
        shared.set(file, obtained);
      }
      const check = first ? await obtained : (await obtained, "cache" as const);
      options.onProgress?.(++done, manifest.entries.length);
      return { entry, file, cached: check === "cache", check } satisfies FetchedObject;
    });
    const fresh = objects.filter((o) => !o.cached);
    return {
      objects,
      downloaded: fresh.length,
      downloadedBytes: fresh.reduce((n, o) => n + o.entry.size, 0),
      cached: objects.length - fresh.length,
    };
  } finally {
    await Deno.remove(tmpDir, { recursive: true }).catch(() => {});
  }
}

/**
 * For the dataset stage: the manifest of the bucket dataset at `prefix` (from
 * `parseDatasetRoot(root, bucket).prefix`) and its objects on local disk. With `expectHash` (the
 * hash behind the stage's cache key, from `fingerprintDataset`), a dataset that changed since the
 * run was planned fails with what changed instead of silently mixing two versions.
 */
export async function readBucketDataset(
  store: ObjectStore,
  prefix: string,
  options: FetchDatasetOptions & { expectHash?: string },
): Promise<{ manifest: DatasetManifest; report: FetchReport }> {
  const manifest = await readDatasetManifest(store, prefix);
  if (options.expectHash !== undefined && manifest.hash !== options.expectHash) {
    const planned = await loadManifestSnapshot(store, options.expectHash);
    const what = planned === null
      ? "its manifest hash differs"
      : diffManifests(planned, manifest).reason;
    throw new DatasetError(
      `Cannot read the dataset at ${prefix}: it changed after the run was planned (${what}); ` +
        "run again",
    );
  }
  return { manifest, report: await fetchDataset(store, manifest, options) };
}

async function download(
  store: ObjectStore,
  entry: ManifestEntry,
  file: string,
  tmpDir: string,
): Promise<EtagCheck> {
  let object;
  try {
    object = await store.getStream(entry.key);
  } catch (e) {
    if (e instanceof NotFoundError) {
      throw new DatasetReadError(entry.key, "the object is missing (deleted after the listing?)");
    }
    throw e;
  }
  if (object.etag !== "" && object.etag !== entry.etag) {
    await object.body.cancel().catch(() => {});
    throw new DatasetReadError(
      entry.key,
      `it changed after the dataset was listed (ETag ${entry.etag}, now ${object.etag})`,
    );
  }
  const tmp = `${tmpDir}/${crypto.randomUUID()}`;
  const verifier = new EtagVerifier(entry.etag, entry.size);
  try {
    {
      using out = await Deno.open(tmp, { write: true, createNew: true });
      for await (const chunk of object.body) {
        verifier.update(chunk);
        if (verifier.received > entry.size) break;
        for (let off = 0; off < chunk.length;) off += await out.write(chunk.subarray(off));
      }
    }
    const verdict = verifier.finish();
    if (!verdict.ok) throw new DatasetReadError(entry.key, `corrupt download: ${verdict.reason}`);
    await Deno.mkdir(file.slice(0, file.lastIndexOf("/")), { recursive: true });
    await Deno.rename(tmp, file);
    return verdict.check;
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    if (e instanceof DatasetReadError) throw e;
    throw new DatasetReadError(entry.key, e instanceof Error ? e.message : String(e));
  }
}

async function isFileOfSize(path: string, size: number): Promise<boolean> {
  try {
    const st = await Deno.stat(path);
    return st.isFile && st.size === size;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

async function removeStaleTemps(dir: string): Promise<void> {
  const now = Date.now();
  for await (const e of Deno.readDir(dir)) {
    const path = `${dir}/${e.name}`;
    const st = await Deno.stat(path).catch(() => null);
    if (st !== null && now - (st.mtime?.getTime() ?? now) > STALE_TMP_MS) {
      await Deno.remove(path, { recursive: true }).catch(() => {});
    }
  }
}
