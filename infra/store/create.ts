/**
 * Opens the store a URL names: `file:///abs/path` for the embedded filesystem store,
 * `http(s)://host:port` for MinIO (with a bucket and credentials).
 *
 * @module
 */

import { StoreError } from "./errors.ts";
import { FsStore } from "./fs_store.ts";
import { MinioStore } from "./minio_store.ts";
import type { ObjectStore } from "./types.ts";

/** Settings a MinIO URL needs. */
export interface CreateStoreOptions {
  /** Bucket (MinIO only; default `cgml`). */
  bucket?: string;
  /** Access key (MinIO only; required). */
  accessKey?: string;
  /** Secret key (MinIO only; required). */
  secretKey?: string;
}

/** Opens a filesystem store (`file:///path`) or a MinIO store (`http(s)://host:port`). */
export async function createStore(
  url: string,
  options: CreateStoreOptions = {},
): Promise<ObjectStore> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StoreError(`Cannot open the store: ${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.protocol === "file:") {
    if (parsed.host !== "" || parsed.search !== "" || parsed.hash !== "") {
      throw new StoreError(`Cannot open the store: use file:///absolute/path, got ${url}`);
    }
    return await FsStore.open(decodeURIComponent(parsed.pathname));
  }
  if (parsed.protocol === "http:" || parsed.protocol === "https:") {
    if (parsed.pathname !== "/" || parsed.search !== "" || parsed.username !== "") {
      throw new StoreError(
        `Cannot open the store: a MinIO URL is http(s)://host:port only (bucket and keys are separate settings), got ${url}`,
      );
    }
    if (!options.accessKey || !options.secretKey) {
      throw new StoreError(
        "Cannot open the MinIO store: an access key and a secret key are required",
      );
    }
    return await MinioStore.open({
      endpoint: parsed.origin,
      bucket: options.bucket ?? "cgml",
      accessKey: options.accessKey,
      secretKey: options.secretKey,
    });
  }
  throw new StoreError(
    `Cannot open the store: unsupported scheme ${parsed.protocol} in ${url} (use file:// or http(s)://)`,
  );
}
