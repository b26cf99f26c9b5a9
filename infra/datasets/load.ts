/**
 * The dataset at a prefix, resolved: its objects, its explicit manifest when there is one
 * (`manifest.json` wins over `manifest.csv`), and the manifest that results.
 *
 * @module
 */

import { type ObjectInfo, type ObjectStore, validateKey } from "../store/mod.ts";
import { DatasetError, type DatasetProblem } from "./errors.ts";
import { MANIFEST_FILES } from "./layout.ts";
import { listObjects, type ListObjectsOptions } from "./listing.ts";
import { type DatasetManifest, manifestFromFile, manifestFromListing } from "./manifest.ts";
import { MAX_MANIFEST_BYTES, parseManifestFile } from "./manifest_file.ts";

/** A dataset as found in the store. */
export interface LoadedDataset {
  /** Every object under the prefix (manifests and markers included) whose key is valid. */
  objects: ObjectInfo[];
  /** The manifest; `null` when the explicit manifest file cannot be read at all. */
  manifest: DatasetManifest | null;
  /** Keys the service refuses, and problems with the explicit manifest: parse errors, missing
   * or changed objects. */
  problems: DatasetProblem[];
}

/** Options of {@link loadDataset}. */
export interface LoadOptions extends ListObjectsOptions {
  /** Take listed objects as they are now, ignoring the sizes and ETags a manifest file pins. */
  ignorePins?: boolean;
}

/** Lists `prefix` and resolves its manifest (see the module doc); never throws for bad data. */
export async function loadDataset(
  store: ObjectStore,
  prefix: string,
  options: LoadOptions = {},
): Promise<LoadedDataset> {
  const listed = await listObjects(store, prefix, options);
  // S3 allows keys that this service refuses ("..", "//", backslashes, control characters):
  // such objects are problems, never entries (their paths become ids and names downstream).
  const unsafe: DatasetProblem[] = [];
  const objects = listed.filter((o) => {
    try {
      validateKey(o.key);
      return true;
    } catch (e) {
      const reason = (e as Error).message.replace(/^Cannot use object key ".*": /s, "");
      unsafe.push({ key: o.key, message: `this service does not read such keys: ${reason}` });
      return false;
    }
  });
  const loaded = await resolve(store, prefix, objects, options);
  return { ...loaded, problems: [...unsafe, ...loaded.problems] };
}

async function resolve(
  store: ObjectStore,
  prefix: string,
  objects: ObjectInfo[],
  options: LoadOptions,
): Promise<LoadedDataset> {
  const file = MANIFEST_FILES.map((name) => ({
    name,
    info: objects.find((o) => o.key === prefix + name),
  })).find((f) => f.info !== undefined);
  if (file === undefined) {
    return { objects, manifest: manifestFromListing(prefix, objects), problems: [] };
  }
  const key = prefix + file.name;
  if (file.info!.size > MAX_MANIFEST_BYTES) {
    const message = `the manifest has ${
      file.info!.size
    } bytes, over the limit of ${MAX_MANIFEST_BYTES}`;
    return { objects, manifest: null, problems: [{ key, message }] };
  }
  const text = new TextDecoder().decode((await store.get(key)).body);
  const parsed = parseManifestFile(file.name, key, text);
  if ("problems" in parsed) return { objects, manifest: null, problems: parsed.problems };
  return { objects, ...manifestFromFile(prefix, parsed.file, objects, options) };
}

/**
 * The manifest of the dataset at `prefix`, for a job: throws a {@link DatasetError} listing
 * every problem with its key (a bad manifest file, a listed object missing or changed), or
 * saying that the prefix holds no data objects.
 */
export async function readDatasetManifest(
  store: ObjectStore,
  prefix: string,
  options: ListObjectsOptions = {},
): Promise<DatasetManifest> {
  const loaded = await loadDataset(store, prefix, options);
  if (loaded.manifest === null || loaded.problems.length > 0) {
    const n = loaded.problems.length;
    throw new DatasetError(
      `Cannot read the dataset at ${prefix}: ${n} problem${n === 1 ? "" : "s"}`,
      loaded.problems,
    );
  }
  if (loaded.manifest.entries.length === 0) {
    throw new DatasetError(`Cannot read the dataset at ${prefix}: it holds no data objects`);
  }
  return loaded.manifest;
}
