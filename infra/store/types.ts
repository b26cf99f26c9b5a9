/**
 * The object store interface every backend implements (embedded filesystem, MinIO).
 *
 * Semantics, identical on every backend and checked by one contract test suite:
 * - Keys follow {@link validateKey}; a bad key throws `InvalidKeyError` before any I/O.
 * - A write becomes visible atomically: readers see the old object or the new one, never a mix.
 * - ETags are opaque, unquoted strings; an object rewritten with different bytes gets a new ETag.
 * - `put` with `ifNoneMatch: "*"` creates only when the key is absent; with `ifMatch: etag` it
 *   replaces only when the current ETag equals `etag` (a missing key fails too). A lost condition
 *   throws `PreconditionFailedError` and writes nothing.
 * - `delete` of a missing key succeeds (S3 semantics).
 * - `list` returns keys in UTF-8 byte order, one page at a time.
 *
 * @module
 */

import type { BucketNotifications } from "./notifications.ts";

/** Metadata of one stored object. */
export interface ObjectInfo {
  /** The object's key. */
  key: string;
  /** Size in bytes. */
  size: number;
  /** Opaque, unquoted entity tag; changes whenever the bytes change. */
  etag: string;
  /** Time of the last write, by the store's clock. */
  lastModified: Date;
}

/**
 * One entry of a listing. The ETag is there only where the backend has it for free (S3 listings
 * carry it; the filesystem store would have to hash every file): call `head` when it is absent.
 */
export type ListEntry = Omit<ObjectInfo, "etag"> & { etag?: string };

/** An object read whole. */
export interface StoredObject extends ObjectInfo {
  /** The object's bytes. */
  body: Uint8Array;
}

/** An object read as a stream; the caller must consume or cancel `body`. */
export interface StreamedObject extends ObjectInfo {
  /** The object's bytes as a web stream. */
  body: ReadableStream<Uint8Array>;
}

/** What `put` accepts: bytes, a string (written as UTF-8), or a stream (give `size`). */
export type PutBody = Uint8Array | string | ReadableStream<Uint8Array>;

/** Options of {@link ObjectStore.put}. */
export interface PutOptions {
  /** `"*"`: create only if the key does not exist yet. */
  ifNoneMatch?: "*";
  /** Replace only if the current ETag equals this one. */
  ifMatch?: string;
  /** MIME type, kept by backends that store it (MinIO) and used by presigned downloads. */
  contentType?: string;
  /** Exact byte length of a stream body; required by MinIO for streams. */
  size?: number;
}

/** Result of a successful {@link ObjectStore.put}. */
export interface PutResult {
  /** ETag of the object now stored. */
  etag: string;
}

/** Options of {@link ObjectStore.list}. */
export interface ListOptions {
  /** Return only keys strictly after this one (the `next` of a previous page). */
  startAfter?: string;
  /** Page size, 1..1000 (default 1000). */
  limit?: number;
}

/** One page of a listing. */
export interface ListPage {
  /** Entries in UTF-8 byte order of their keys. */
  items: ListEntry[];
  /** Pass as `startAfter` to get the next page; absent on the last page. */
  next?: string;
}

/** The object store: one interface, an embedded filesystem backend and an S3 (MinIO) backend. */
export interface ObjectStore {
  /** Which backend this is. */
  readonly kind: "fs" | "minio";
  /** Reads a whole object; throws `NotFoundError` when it is missing. */
  get(key: string): Promise<StoredObject>;
  /** Reads an object as a stream; throws `NotFoundError` when it is missing. */
  getStream(key: string): Promise<StreamedObject>;
  /** Reads an object's metadata; throws `NotFoundError` when it is missing. */
  head(key: string): Promise<ObjectInfo>;
  /** Writes an object atomically, optionally conditionally; returns its new ETag. */
  put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult>;
  /** Deletes an object; a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Lists keys that start with `prefix`, one page at a time. */
  list(prefix: string, options?: ListOptions): Promise<ListPage>;
  /**
   * A URL that lets anyone holding it GET the object until it expires, or `null` when the
   * backend cannot sign URLs (the filesystem store): then serve the bytes through `getStream`.
   */
  presignGet(key: string, expiresSeconds: number): Promise<string | null>;
  /** Like {@link presignGet} for a PUT upload of the object; `null` on the filesystem store. */
  presignPut(key: string, expiresSeconds: number): Promise<string | null>;
  /** The bucket's notification settings (S3 stores); `null` on the filesystem store. */
  readonly notifications: BucketNotifications | null;
}
