/**
 * Test helpers of the dataset layer: small valid meshes, a dataset writer, a store that counts
 * its calls, and one test body run on both the filesystem store and a real S3 server.
 *
 * @module
 */

import { s3Test, storeOn } from "../s3/_testing.ts";
import { FsStore } from "../store/fs_store.ts";
import type { ObjectStore } from "../store/types.ts";

/** A valid OFF tetrahedron, its vertices scaled by `scale` (so each call can differ). */
export function offText(scale = 1): string {
  const v = [[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]].map((p) =>
    p.map((x) => x * scale).join(" ")
  );
  return `OFF\n4 4 0\n${v.join("\n")}\n3 0 1 2\n3 0 1 3\n3 0 2 3\n3 1 2 3\n`;
}

/** A ModelNet-layout dataset: `classes` × train/test × `perSplit` OFF files, each different. */
export function modelnetFiles(classes: string[], perSplit = 2): Record<string, string> {
  const files: Record<string, string> = {};
  let n = 1;
  for (const cls of classes) {
    for (const split of ["train", "test"]) {
      for (let i = 0; i < perSplit; i++) {
        files[`${cls}/${split}/${cls}_${String(n).padStart(4, "0")}.off`] = offText(n++);
      }
    }
  }
  return files;
}

/** Writes `files` (paths relative to `prefix`) into the store. */
export async function putFiles(
  store: ObjectStore,
  prefix: string,
  files: Record<string, string | Uint8Array>,
): Promise<void> {
  await Promise.all(Object.entries(files).map(([path, body]) => store.put(prefix + path, body)));
}

/** Calls made through a {@link countingStore}, by method. */
export type CallCounts = Record<"get" | "getStream" | "head" | "list" | "put", number>;

/** `store` with every read and write counted (and `keys` of the GETs in order). */
export function countingStore(
  store: ObjectStore,
): { store: ObjectStore; counts: CallCounts; gets: string[] } {
  const counts: CallCounts = { get: 0, getStream: 0, head: 0, list: 0, put: 0 };
  const gets: string[] = [];
  const counted: ObjectStore = {
    kind: store.kind,
    get: (key) => (counts.get++, gets.push(key), store.get(key)),
    getStream: (key) => (counts.getStream++, gets.push(key), store.getStream(key)),
    head: (key) => (counts.head++, store.head(key)),
    put: (key, body, options) => (counts.put++, store.put(key, body, options)),
    delete: (key) => store.delete(key),
    list: (prefix, options) => (counts.list++, store.list(prefix, options)),
    presignGet: (key, s) => store.presignGet(key, s),
    presignPut: (key, s) => store.presignPut(key, s),
    notifications: store.notifications,
  };
  return { store: counted, counts, gets };
}

/** Runs `fn` on a fresh filesystem store in a temporary folder, removed afterwards. */
export async function withFsStore<T>(fn: (store: FsStore) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "cgml-datasets-" });
  try {
    return await fn(await FsStore.open(dir));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Registers `name` twice: on the filesystem store and on a real S3 server (versitygw, bucket
 * `cgml`), so each behaviour is checked on both backends.
 */
export function bothStores(name: string, fn: (store: ObjectStore) => Promise<void>): void {
  Deno.test(`${name} [fs store]`, () => withFsStore(fn));
  s3Test(name, async (server) => await fn(await storeOn(server, "cgml")));
}
