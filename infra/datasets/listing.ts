/**
 * Listing datasets and their objects in the store: every object under a prefix with its ETag,
 * and the dataset names under `datasets/` without reading every key.
 *
 * @module
 */

import { InvalidKeyError, NotFoundError, type ObjectInfo, type ObjectStore } from "../store/mod.ts";
import { DatasetError } from "./errors.ts";
import { DATASET_NAME, DATASETS_PREFIX } from "./root.ts";
import { mapPool } from "./pool.ts";

/** Most objects one dataset may hold (a larger listing is refused, not truncated). */
export const MAX_DATASET_OBJECTS = 500_000;

/** Options of {@link listObjects}. */
export interface ListObjectsOptions {
  /** `head` calls at once when the listing carries no ETags (filesystem store); default 16. */
  concurrency?: number;
}

/**
 * Every object under `prefix` in key order, with its ETag: S3 listings carry it; on stores whose
 * listing does not (the filesystem store hashes on `head`), `head` is called for each object.
 * Objects deleted between the listing and the `head` are left out; a key the store refuses to
 * read (see `validateKey`) comes with an empty ETag.
 */
export async function listObjects(
  store: ObjectStore,
  prefix: string,
  options: ListObjectsOptions = {},
): Promise<ObjectInfo[]> {
  const entries = [];
  let startAfter: string | undefined;
  do {
    const page = await store.list(prefix, { startAfter });
    entries.push(...page.items);
    if (entries.length > MAX_DATASET_OBJECTS) {
      throw new DatasetError(
        `Cannot list ${prefix}: it holds more than ${MAX_DATASET_OBJECTS} objects`,
      );
    }
    startAfter = page.next;
  } while (startAfter !== undefined);
  const infos = await mapPool(entries, options.concurrency ?? 16, async (entry) => {
    if (entry.etag !== undefined) return { ...entry, etag: entry.etag };
    try {
      return await store.head(entry.key);
    } catch (e) {
      if (e instanceof NotFoundError) return null;
      // A file named by hand (a backslash, a control character): listed, never read.
      if (e instanceof InvalidKeyError) return { ...entry, etag: "" };
      throw e;
    }
  });
  return infos.filter((i): i is ObjectInfo => i !== null);
}

/** One page of dataset names. */
export interface NamePage {
  /** Names in key order. */
  names: string[];
  /** Pass as `after` for the next page; absent on the last. */
  next?: string;
}

/**
 * Dataset names (the first segment under `datasets/` that has objects below it and is a valid
 * {@link DATASET_NAME}), in key order, after `after`. One `list` call of one key per name: the
 * listing jumps over each dataset's objects instead of reading them.
 */
export async function listDatasetNames(
  store: ObjectStore,
  options: { after?: string; limit?: number } = {},
): Promise<NamePage> {
  const limit = options.limit ?? 100;
  const names: string[] = [];
  // "0" follows "/" in byte order: every key of datasets/<name>/ sorts before datasets/<name>0.
  let startAfter = options.after === undefined ? undefined : `${DATASETS_PREFIX}${options.after}0`;
  for (;;) {
    const page = await store.list(DATASETS_PREFIX, { startAfter, limit: 1 });
    const key = page.items[0]?.key;
    if (key === undefined) return { names };
    const rest = key.slice(DATASETS_PREFIX.length);
    const slash = rest.indexOf("/");
    if (slash < 0) {
      startAfter = key;
      continue;
    }
    const name = rest.slice(0, slash);
    startAfter = `${DATASETS_PREFIX}${name}0`;
    if (!DATASET_NAME.test(name)) continue;
    if (names.length === limit) return { names, next: names[names.length - 1] };
    names.push(name);
  }
}
