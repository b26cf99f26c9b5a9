/**
 * Descriptions of datasets for people (the HTTP routes, `cgml dataset ls`): a cheap overview
 * from the listing alone, and a full one with the manifest, its hash and per-class tallies.
 *
 * @module
 */

import type { ObjectStore } from "../store/mod.ts";
import type { DatasetProblem } from "./errors.ts";
import { isDataPath, MANIFEST_FILES, type ManifestFileName } from "./layout.ts";
import { loadDataset } from "./load.ts";
import { type ManifestSource, type ManifestSummary, summarize } from "./manifest.ts";
import { datasetPrefix } from "./root.ts";

/** A dataset seen from its listing only (no ETags, no manifest parsing). */
export interface DatasetOverview {
  name: string;
  prefix: string;
  /** Data objects (manifests, hidden files and markers left out). */
  objects: number;
  /** Bytes of the data objects. */
  bytes: number;
  /** The explicit manifest file at the prefix, if any. */
  manifest: ManifestFileName | null;
  /** The newest write under the prefix (ISO 8601). */
  lastModified: string;
}

/** Overview of dataset `name` by listing its prefix; `null` when nothing is stored there. */
export async function datasetOverview(
  store: ObjectStore,
  name: string,
): Promise<DatasetOverview | null> {
  const prefix = datasetPrefix(name);
  let objects = 0;
  let bytes = 0;
  let newest = 0;
  let manifest: ManifestFileName | null = null;
  let seen = false;
  let startAfter: string | undefined;
  do {
    const page = await store.list(prefix, { startAfter });
    for (const item of page.items) {
      seen = true;
      const path = item.key.slice(prefix.length);
      newest = Math.max(newest, item.lastModified.getTime());
      const file = MANIFEST_FILES.find((f) => f === path);
      if (file !== undefined && (manifest === null || file === "manifest.json")) manifest = file;
      if (!isDataPath(path)) continue;
      objects++;
      bytes += item.size;
    }
    startAfter = page.next;
  } while (startAfter !== undefined);
  if (!seen) return null;
  return { name, prefix, objects, bytes, manifest, lastModified: new Date(newest).toISOString() };
}

/** A dataset with its manifest resolved. */
export interface DatasetDescription extends ManifestSummary {
  name: string;
  prefix: string;
  /** Where the object list came from. */
  source: ManifestSource;
  /** The manifest hash; `null` when the explicit manifest cannot be read. */
  hash: string | null;
  /** Problems with the explicit manifest (parse errors, missing or changed objects). */
  problems: DatasetProblem[];
  /** Data objects under the prefix that an explicit manifest leaves out. */
  unlisted: number;
}

/**
 * Dataset `name` with its manifest: objects and bytes per class and split, the hash and the
 * explicit manifest's problems; `null` when nothing is stored under its prefix.
 */
export async function describeDataset(
  store: ObjectStore,
  name: string,
): Promise<DatasetDescription | null> {
  const prefix = datasetPrefix(name);
  const loaded = await loadDataset(store, prefix);
  if (loaded.objects.length === 0) return null;
  const manifestKey = MANIFEST_FILES.find((f) => loaded.objects.some((o) => o.key === prefix + f));
  const source: ManifestSource = loaded.manifest?.source ?? manifestKey ?? "listing";
  const summary: ManifestSummary = loaded.manifest === null
    ? {
      objects: 0,
      bytes: 0,
      classes: [],
      unclassified: { objects: 0, bytes: 0 },
    }
    : summarize(loaded.manifest);
  const listed = new Set([
    ...loaded.manifest?.entries.map((e) => e.key) ?? [],
    ...loaded.problems.map((p) => p.key),
  ]);
  const unlisted =
    loaded.objects.filter((o) => isDataPath(o.key.slice(prefix.length)) && !listed.has(o.key))
      .length;
  return {
    name,
    prefix,
    source,
    hash: loaded.manifest?.hash ?? null,
    ...summary,
    problems: loaded.problems,
    unlisted,
  };
}
