/**
 * Checks of a dataset before it is trusted: the layout (shapes under `<class>/{train,test}/`,
 * every class with both splits, at least two classes) without I/O, and a header sniff of every
 * object (`sniff.ts`) with bounded concurrency.
 *
 * @module
 */

import { compareKeys, NotFoundError, type ObjectStore } from "../store/mod.ts";
import type { DatasetProblem } from "./errors.ts";
import { kindOf } from "./layout.ts";
import type { DatasetManifest, ManifestEntry } from "./manifest.ts";
import { mapPool } from "./pool.ts";
import { SNIFF_BYTES, sniffProblem } from "./sniff.ts";

function isShape(e: ManifestEntry): boolean {
  const kind = kindOf(e.path, e.class !== null);
  return kind === "mesh" || kind === "points";
}

/**
 * Layout problems, without reading any object: an empty dataset; shapes (meshes, point lists)
 * without a class or split; a class without train or without test shapes; a single class.
 */
export function layoutProblems(manifest: DatasetManifest): DatasetProblem[] {
  const prefix = manifest.prefix;
  if (manifest.entries.length === 0) {
    return [{ key: prefix, message: "the dataset holds no data objects" }];
  }
  const problems: DatasetProblem[] = [];
  const splits = new Map<string, Set<string>>();
  for (const e of manifest.entries.filter(isShape)) {
    if (e.class === null || e.split === null) {
      problems.push({
        key: e.key,
        message: "a shape must lie under <class>/train/ or <class>/test/ (or have its class and " +
          "split in the manifest)",
      });
      continue;
    }
    const seen = splits.get(e.class) ?? new Set<string>();
    seen.add(e.split);
    splits.set(e.class, seen);
  }
  for (const [cls, seen] of splits) {
    for (const split of ["train", "test"]) {
      if (!seen.has(split)) {
        problems.push({
          key: `${prefix}${cls}/`,
          message: `class "${cls}" has no ${split} shapes`,
        });
      }
    }
  }
  if (splits.size === 1) {
    const [only] = splits.keys();
    problems.push({
      key: prefix,
      message: `the dataset has one class ("${only}"); a classifier needs at least two`,
    });
  }
  return problems;
}

/** Reads up to `max` bytes from the start of an object and drops the rest of the stream. */
export async function readHead(store: ObjectStore, key: string, max: number): Promise<Uint8Array> {
  const { body } = await store.getStream(key);
  const reader = body.getReader();
  const head = new Uint8Array(max);
  let filled = 0;
  try {
    while (filled < max) {
      const { value, done } = await reader.read();
      if (done) break;
      const n = Math.min(value.length, max - filled);
      head.set(value.subarray(0, n), filled);
      filled += n;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return head.subarray(0, filled);
}

/** Sniff problems of every entry (see `sniff.ts`), `concurrency` reads at once (default 16). */
export async function sniffProblems(
  store: ObjectStore,
  manifest: DatasetManifest,
  options: { concurrency?: number } = {},
): Promise<DatasetProblem[]> {
  const found = await mapPool(manifest.entries, options.concurrency ?? 16, async (e) => {
    if (kindOf(e.path, e.class !== null) === "other") {
      return sniffProblem(e.path, e.class !== null, new Uint8Array(), e.size);
    }
    try {
      const head = await readHead(store, e.key, SNIFF_BYTES);
      return sniffProblem(e.path, e.class !== null, head, e.size);
    } catch (err) {
      if (err instanceof NotFoundError) return "the object was deleted while being checked";
      throw err;
    }
  });
  return manifest.entries.flatMap((e, i) => {
    const message = found[i];
    return message === null ? [] : [{ key: e.key, message }];
  });
}

/** Layout and sniff problems of a dataset, sorted by key. */
export async function validateDataset(
  store: ObjectStore,
  manifest: DatasetManifest,
  options: { concurrency?: number } = {},
): Promise<DatasetProblem[]> {
  const problems = [...layoutProblems(manifest), ...await sniffProblems(store, manifest, options)];
  return problems.sort((a, b) => compareKeys(a.key, b.key));
}
