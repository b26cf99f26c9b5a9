/**
 * The manifest of a dataset: every object with its size, ETag, class and split, and a hash of
 * all that. It is built from the listing by the folder layout, or from an explicit
 * `manifest.json` / `manifest.csv` at the prefix (see `manifest_file.ts`), which then lists
 * exactly the objects and labels that make the dataset.
 *
 * The hash is sha256 over the entries sorted by path (path, size, ETag, class, split): the same
 * objects give the same hash in any order and under any dataset name, and any added, removed,
 * changed or relabelled object changes it.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { z } from "zod";
import { compareKeys, type ObjectInfo } from "../store/mod.ts";
import type { DatasetProblem } from "./errors.ts";
import { isDataPath, layoutOf, type ManifestFileName, SPLITS } from "./layout.ts";
import type { ManifestFile } from "./manifest_file.ts";

/** One object of a dataset. */
export const ManifestEntry = z.object({
  /** Path relative to the dataset prefix. */
  path: z.string().min(1),
  /** The full object key (prefix + path). */
  key: z.string().min(1),
  /** Size in bytes. */
  size: z.number().int().min(0),
  /** ETag (unquoted). */
  etag: z.string().min(1),
  /** Class, or null (a top-level file). */
  class: z.string().min(1).nullable(),
  /** Split, or null. */
  split: z.enum(SPLITS).nullable(),
});
/** One object of a dataset. */
export type ManifestEntry = z.output<typeof ManifestEntry>;

/** Where a manifest's object list came from. */
export type ManifestSource = "listing" | ManifestFileName;

/** A dataset manifest (as the dataset stage records it and snapshots store it). */
export const DatasetManifest = z.object({
  version: z.literal(1),
  /** The dataset prefix, ending in `/`. */
  prefix: z.string(),
  /** `listing` (the folder layout) or the manifest file that listed the objects. */
  source: z.enum(["listing", "manifest.json", "manifest.csv"]),
  /** {@link manifestHash} of the entries. */
  hash: z.string(),
  /** Entries in path order. */
  entries: z.array(ManifestEntry),
});
/** A dataset manifest. */
export type DatasetManifest = z.output<typeof DatasetManifest>;

/** Order-independent sha256 (hex) of the entries: path, size, ETag, class and split of each. */
export function manifestHash(entries: readonly ManifestEntry[]): string {
  const rows = entries.map((e) => [e.path, e.size, e.etag, e.class, e.split]);
  rows.sort((a, b) => compareKeys(a[0] as string, b[0] as string));
  return createHash("sha256").update(JSON.stringify(rows)).digest("hex");
}

function finish(prefix: string, source: ManifestSource, entries: ManifestEntry[]): DatasetManifest {
  entries.sort((a, b) => compareKeys(a.path, b.path));
  return { version: 1, prefix, source, hash: manifestHash(entries), entries };
}

/** The manifest of the data objects among `objects` (all under `prefix`), by the folder layout. */
export function manifestFromListing(
  prefix: string,
  objects: readonly ObjectInfo[],
): DatasetManifest {
  const entries: ManifestEntry[] = [];
  for (const o of objects) {
    const path = o.key.slice(prefix.length);
    if (!o.key.startsWith(prefix) || !isDataPath(path)) continue;
    const { class: cls, split } = layoutOf(path);
    entries.push({ path, key: o.key, size: o.size, etag: o.etag, class: cls, split });
  }
  return finish(prefix, "listing", entries);
}

/**
 * The manifest of exactly the objects `file` lists, with the labels it gives (the folder layout
 * where it gives none), checked against the objects under `prefix`: an object it lists that is
 * missing, or whose pinned size or ETag differs, is a problem keyed by the object. With
 * `ignorePins` the current size and ETag are taken (storing the manifest again accepts changes).
 */
export function manifestFromFile(
  prefix: string,
  file: ManifestFile,
  objects: readonly ObjectInfo[],
  options: { ignorePins?: boolean } = {},
): { manifest: DatasetManifest; problems: DatasetProblem[] } {
  const pins = options.ignorePins !== true;
  const byKey = new Map(objects.map((o) => [o.key, o]));
  const problems: DatasetProblem[] = [];
  const entries: ManifestEntry[] = [];
  for (const item of file.objects) {
    const key = prefix + item.path;
    const found = byKey.get(key);
    if (found === undefined) {
      problems.push({ key, message: `${item.where} lists it, but there is no such object` });
      continue;
    }
    if (pins && item.etag !== undefined && item.etag !== found.etag) {
      problems.push({
        key,
        message: `it changed after ${file.source} was written (${item.where} pins ETag ` +
          `${item.etag}, the object has ${found.etag}); store the manifest again to accept it`,
      });
      continue;
    }
    if (pins && item.size !== undefined && item.size !== found.size) {
      problems.push({
        key,
        message: `${item.where} says ${item.size} bytes, the object has ${found.size}`,
      });
      continue;
    }
    const layout = layoutOf(item.path);
    entries.push({
      path: item.path,
      key,
      size: found.size,
      etag: found.etag,
      class: item.class !== undefined ? item.class : layout.class,
      split: item.split !== undefined ? item.split : layout.split,
    });
  }
  return { manifest: finish(prefix, file.source, entries), problems };
}

/** Objects and bytes of a group of entries. */
export interface Tally {
  objects: number;
  bytes: number;
}

/** Per class: objects and bytes by split (`none` for entries without a split). */
export interface ManifestSummary {
  objects: number;
  bytes: number;
  classes: { class: string; train: Tally; test: Tally; none: Tally }[];
  /** Entries without a class (top-level files). */
  unclassified: Tally;
}

/** Counts the manifest's objects and bytes per class and split. */
export function summarize(manifest: DatasetManifest): ManifestSummary {
  const empty = (): Tally => ({ objects: 0, bytes: 0 });
  const classes = new Map<string, { train: Tally; test: Tally; none: Tally }>();
  const unclassified = empty();
  let bytes = 0;
  for (const e of manifest.entries) {
    bytes += e.size;
    let tally = unclassified;
    if (e.class !== null) {
      let row = classes.get(e.class);
      if (row === undefined) {
        row = { train: empty(), test: empty(), none: empty() };
        classes.set(e.class, row);
      }
      tally = row[e.split ?? "none"];
    }
    tally.objects++;
    tally.bytes += e.size;
  }
  return {
    objects: manifest.entries.length,
    bytes,
    classes: [...classes].sort(([a], [b]) => compareKeys(a, b)).map(([cls, row]) => ({
      class: cls,
      ...row,
    })),
    unclassified,
  };
}
