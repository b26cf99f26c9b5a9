/**
 * Fingerprints of local files and folders that stages read (a ModelNet root, a CSV file), so
 * that the cache notices when they change. Like Nextflow's default, a fingerprint covers each
 * file's relative path, size and modification time, not its content: cheap for large folders.
 * A bucket dataset (`s3://<bucket>/datasets/<name>/`) is fingerprinted by its manifest hash
 * instead; that needs the store, so the caller passes it in ({@link fingerprintRoots}).
 *
 * @module
 */

import { canonicalJson, type Fingerprint, sha256 } from "./cache.ts";

/**
 * Fingerprints bucket datasets: `dataset:<manifest hash>` for a value it takes, `null` for a
 * local path (infra's `datasetRootFingerprint(store, bucket)`). It throws for a root it refuses.
 */
export type BucketFingerprint = (root: string, field: string) => Promise<string | null>;

/**
 * The planner's fingerprint: what `bucket` takes (bucket datasets), every other value as a
 * local path ({@link fingerprintPath}). Without `bucket` every value is a local path.
 */
export function fingerprintRoots(bucket?: BucketFingerprint): Fingerprint {
  return async (path, field) => (await bucket?.(path, field)) ?? await fingerprintPath(path);
}

const MAX_DEPTH = 32;

/** sha256 over the sorted (relative path, size, mtime) of every file under `path`; "missing" if absent. */
export async function fingerprintPath(path: string): Promise<string> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return "missing";
    throw e;
  }
  const entries: [string, number, number][] = [];
  if (info.isDirectory) await listFiles(path, "", entries, 0);
  else entries.push(["", info.size, info.mtime?.getTime() ?? 0]);
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return await sha256(canonicalJson(entries));
}

async function listFiles(
  root: string,
  rel: string,
  out: [string, number, number][],
  depth: number,
) {
  if (depth > MAX_DEPTH) {
    throw new Error(`Cannot fingerprint "${root}": folders nest deeper than ${MAX_DEPTH}`);
  }
  const dir = rel === "" ? root : `${root}/${rel}`;
  for await (const entry of Deno.readDir(dir)) {
    const child = rel === "" ? entry.name : `${rel}/${entry.name}`;
    const info = await Deno.stat(`${root}/${child}`);
    if (info.isDirectory) await listFiles(root, child, out, depth + 1);
    else out.push([child, info.size, info.mtime?.getTime() ?? 0]);
  }
}
