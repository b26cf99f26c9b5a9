/**
 * A dataset stage's `root`, resolved for reading: a local folder stays a path; a bucket dataset
 * (`s3://<bucket>/datasets/<name>/`, the service's own bucket only) is read onto the worker's
 * disk with {@link readBucketDataset}, exactly as the run planned it (the manifest hash behind
 * the stage's cache key), every object verified against its ETag and cached by it.
 *
 * What the stage read is recorded as its `manifest` output ({@link DatasetRecord}): for a bucket
 * dataset the manifest itself (every key with size, ETag, class and split, and its hash).
 *
 * @module
 */

import {
  DATASET_FINGERPRINT_PREFIX,
  DatasetError,
  type DatasetManifest,
  isBucketRoot,
  type ObjectStore,
  parseDatasetRoot,
} from "../../infra/mod.ts";
import { type FetchReport, readBucketDataset } from "./dataset_reader.ts";

/** The bucket a worker reads datasets from (a stage context's `bucket`). */
export interface DatasetBucket {
  store: ObjectStore;
  /** The service's bucket: the only one `s3://` roots may name. */
  name: string;
  /** The worker's object cache folder. */
  cacheDir: string;
}

/** Options of {@link resolveDatasetRoot}. */
export interface ResolveRootOptions {
  /** The param's path for errors (`stages.shapes.with.root`). */
  field: string;
  /** Absent: only local folders can be read. */
  bucket?: DatasetBucket;
  /** The fingerprint the run planned for this root (`dataset:<hash>` for a bucket dataset). */
  planned?: string;
  /** Objects available on disk so far (downloaded or found in the cache). */
  onProgress?: (done: number, total: number) => void;
}

/** A resolved root: a local folder, or a bucket dataset on local disk. */
export type ResolvedRoot =
  | { kind: "local"; path: string }
  | { kind: "bucket"; root: string; manifest: DatasetManifest; report: FetchReport };

/**
 * Resolves `root`. A bucket dataset is read as planned: when its listing no longer has the
 * planned manifest hash the read fails with what changed; a missing or corrupt object fails
 * with its key and the reason (`DatasetReadError`). Another bucket or scheme, or an `s3://`
 * root without a bucket to read it from, is a `DatasetError` naming `field`.
 */
export async function resolveDatasetRoot(
  root: string,
  options: ResolveRootOptions,
): Promise<ResolvedRoot> {
  const { bucket, field } = options;
  if (bucket === undefined) {
    if (isBucketRoot(root)) {
      throw new DatasetError(
        `Cannot read ${field} ${JSON.stringify(root)}: this run has no bucket to read it from ` +
          "(run it on the worker, or with `deno task cgml run` and the store configured)",
      );
    }
    return { kind: "local", path: root };
  }
  const parsed = parseDatasetRoot(root, bucket.name, field);
  if (parsed.kind === "local") return parsed;
  const planned = options.planned;
  const expectHash = planned?.startsWith(DATASET_FINGERPRINT_PREFIX)
    ? planned.slice(DATASET_FINGERPRINT_PREFIX.length)
    : undefined;
  const { manifest, report } = await readBucketDataset(bucket.store, parsed.prefix, {
    cacheDir: bucket.cacheDir,
    expectHash,
    onProgress: options.onProgress,
  });
  return { kind: "bucket", root, manifest, report };
}

/** One object or file a dataset stage read. */
export interface DatasetRecordEntry {
  /** Path relative to the dataset root. */
  path: string;
  /** The object key (bucket datasets). */
  key?: string;
  /** Bytes (bucket datasets). */
  size?: number;
  /** ETag (bucket datasets). */
  etag?: string;
  class: string | null;
  split: string | null;
}

/** A dataset stage's `manifest` output: what it read. */
export interface DatasetRecord {
  version: 1;
  /** The `root` param (empty when the stage read its input artifact). */
  root: string;
  /**
   * `listing`, `manifest.json`, `manifest.csv` (bucket datasets), `folder`, `input` (an input
   * artifact) or `generated`.
   */
  source: string;
  /** The bucket dataset's manifest hash (`null` for a local folder or an input artifact). */
  hash: string | null;
  entries: DatasetRecordEntry[];
}

/** The record of a bucket dataset: its manifest, every entry with key, size, ETag, class, split. */
export function bucketRecord(root: string, manifest: DatasetManifest): DatasetRecord {
  return {
    version: 1,
    root,
    source: manifest.source,
    hash: manifest.hash,
    entries: manifest.entries.map((e) => ({ ...e })),
  };
}

/** The record of what a stage read from a local folder, its input or a generator, by path. */
export function localRecord(
  root: string,
  source: "folder" | "input" | "generated",
  entries: readonly { path: string; class: string | null; split: string | null }[],
): DatasetRecord {
  return {
    version: 1,
    root,
    source,
    hash: null,
    entries: entries.map((e) => ({ path: e.path, class: e.class, split: e.split })),
  };
}
