/**
 * Cache support for bucket datasets. A stage that reads `dataset.root = s3://…` gets the
 * fingerprint `dataset:<manifest hash>` (where a local folder gets a hash of its files), and the
 * manifest behind it is kept, content-addressed, at `cache/datasets/<hash>.json`. When the
 * fingerprint changes, {@link describeDatasetChange} loads both manifests and says what changed:
 * `dataset changed: 3 added, 1 changed`.
 *
 * @module
 */

import { NotFoundError, type ObjectStore, PreconditionFailedError } from "../store/mod.ts";
import { diffManifests } from "./diff.ts";
import { readDatasetManifest } from "./load.ts";
import { DatasetManifest } from "./manifest.ts";
import { parseDatasetRoot } from "./root.ts";

/** Fingerprints of bucket datasets start with this. */
export const DATASET_FINGERPRINT_PREFIX = "dataset:";

/** Store key of the manifest snapshot with this hash. */
export function manifestSnapshotKey(hash: string): string {
  return `cache/datasets/${hash}.json`;
}

/** Stores `manifest` under its hash unless already there; returns the key. */
export async function saveManifestSnapshot(
  store: ObjectStore,
  manifest: DatasetManifest,
): Promise<string> {
  const key = manifestSnapshotKey(manifest.hash);
  try {
    await store.put(key, JSON.stringify(manifest), {
      ifNoneMatch: "*",
      contentType: "application/json",
    });
  } catch (e) {
    if (!(e instanceof PreconditionFailedError)) throw e;
  }
  return key;
}

/** The snapshot with this hash, or `null` when it is missing or unreadable. */
export async function loadManifestSnapshot(
  store: ObjectStore,
  hash: string,
): Promise<DatasetManifest | null> {
  if (!/^[0-9a-f]{64}$/.test(hash)) return null;
  try {
    const body = (await store.get(manifestSnapshotKey(hash))).body;
    const parsed = DatasetManifest.safeParse(JSON.parse(new TextDecoder().decode(body)));
    return parsed.success ? parsed.data : null;
  } catch (e) {
    if (e instanceof NotFoundError || e instanceof SyntaxError) return null;
    throw e;
  }
}

/**
 * The cache fingerprint of the dataset at `root` (`s3://<bucket>/datasets/<name>/…`): lists it,
 * resolves its manifest (throwing a `DatasetError` with every problem and its key), keeps a
 * snapshot and returns `dataset:<hash>` with the manifest. `field` names the value in errors.
 */
export async function fingerprintDataset(
  store: ObjectStore,
  bucket: string,
  root: string,
  field = "dataset.root",
): Promise<{ fingerprint: string; manifest: DatasetManifest }> {
  const parsed = parseDatasetRoot(root, bucket, field);
  if (parsed.kind !== "bucket") {
    throw new TypeError(`Cannot fingerprint ${root} as a bucket dataset: it is a local path`);
  }
  const manifest = await readDatasetManifest(store, parsed.prefix);
  await saveManifestSnapshot(store, manifest);
  return { fingerprint: `${DATASET_FINGERPRINT_PREFIX}${manifest.hash}`, manifest };
}

/**
 * The fingerprint of a value that names what a stage reads (a `dataset.root`), for the planner:
 * `dataset:<hash>` for an `s3://` root in `bucket` ({@link fingerprintDataset}), `null` for a
 * local path (the caller fingerprints it on its own disk). A root this service cannot read
 * (another bucket, another scheme, outside `datasets/`, a dataset with problems or no data)
 * throws a `DatasetError` naming `field` or the keys. The worker plans with it, and job
 * submission checks roots with the very same function.
 */
export function datasetRootFingerprint(
  store: ObjectStore,
  bucket: string,
): (root: string, field: string) => Promise<string | null> {
  return async (root, field) =>
    parseDatasetRoot(root, bucket, field).kind === "bucket"
      ? (await fingerprintDataset(store, bucket, root, field)).fingerprint
      : null;
}

/**
 * Why a stage reading a bucket dataset must re-run: `dataset changed: 3 added, 1 changed` when
 * both fingerprints are dataset fingerprints with snapshots; `null` when either is not (a local
 * folder's) or a snapshot is gone (the caller keeps its generic reason).
 */
export async function describeDatasetChange(
  store: ObjectStore,
  before: string,
  after: string,
): Promise<string | null> {
  if (
    !before.startsWith(DATASET_FINGERPRINT_PREFIX) || !after.startsWith(DATASET_FINGERPRINT_PREFIX)
  ) {
    return null;
  }
  const [old, now] = await Promise.all([
    loadManifestSnapshot(store, before.slice(DATASET_FINGERPRINT_PREFIX.length)),
    loadManifestSnapshot(store, after.slice(DATASET_FINGERPRINT_PREFIX.length)),
  ]);
  return old === null || now === null ? null : diffManifests(old, now).reason;
}
