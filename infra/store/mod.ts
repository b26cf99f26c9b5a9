/**
 * The object store: one interface, an embedded filesystem backend and a MinIO backend.
 *
 * @module
 */

export { createStore } from "./create.ts";
export type { CreateStoreOptions } from "./create.ts";
export {
  InvalidKeyError,
  NotFoundError,
  PreconditionFailedError,
  StoreError,
  StoreUnavailableError,
} from "./errors.ts";
export { FS_INTERNAL_DIR, FsStore } from "./fs_store.ts";
export { compareKeys, MAX_KEY_BYTES, validateKey, validatePrefix } from "./keys.ts";
export { MinioStore } from "./minio_store.ts";
export type { MinioStoreOptions } from "./minio_store.ts";
export type {
  ListEntry,
  ListOptions,
  ListPage,
  ObjectInfo,
  ObjectStore,
  PutBody,
  PutOptions,
  PutResult,
  StoredObject,
  StreamedObject,
} from "./types.ts";
