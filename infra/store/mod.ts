/**
 * The object store: one interface, an embedded filesystem backend and an S3 backend (MinIO,
 * versitygw, AWS S3: any server with conditional writes).
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
export { MINIO_WEBHOOK_ARN, MINIO_WEBHOOK_TARGET_ID } from "./notifications.ts";
export type { BucketNotifications, QueueNotification } from "./notifications.ts";
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
