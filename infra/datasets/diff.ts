/**
 * What changed between two manifests of a dataset, with a reason for humans
 * (`dataset changed: 3 added, 1 changed`), as the cache reports a re-run.
 *
 * @module
 */

import { compareKeys } from "../store/mod.ts";
import type { ManifestEntry } from "./manifest.ts";

/** Paths added, removed, changed (size or ETag) and relabelled (class or split) between two manifests. */
export interface ManifestDiff {
  added: string[];
  removed: string[];
  changed: string[];
  relabelled: string[];
  /** `dataset unchanged`, or `dataset changed: 3 added, 1 changed, 2 removed, 1 relabelled` (zeros left out). */
  reason: string;
}

/** Compares two manifests' entries by path (the order of entries does not matter). */
export function diffManifests(
  before: { entries: readonly ManifestEntry[] },
  after: { entries: readonly ManifestEntry[] },
): ManifestDiff {
  const old = new Map(before.entries.map((e) => [e.path, e]));
  const added: string[] = [];
  const changed: string[] = [];
  const relabelled: string[] = [];
  for (const e of after.entries) {
    const was = old.get(e.path);
    old.delete(e.path);
    if (was === undefined) added.push(e.path);
    else if (was.etag !== e.etag || was.size !== e.size) changed.push(e.path);
    else if (was.class !== e.class || was.split !== e.split) relabelled.push(e.path);
  }
  const removed = [...old.keys()];
  for (const list of [added, removed, changed, relabelled]) list.sort(compareKeys);
  const parts = [
    [added.length, "added"],
    [changed.length, "changed"],
    [removed.length, "removed"],
    [relabelled.length, "relabelled"],
  ].filter(([n]) => n !== 0).map(([n, what]) => `${n} ${what}`);
  const reason = parts.length === 0 ? "dataset unchanged" : `dataset changed: ${parts.join(", ")}`;
  return { added, removed, changed, relabelled, reason };
}
