/**
 * Typed errors shared by every {@link ObjectStore} implementation, so callers branch on the
 * class and never on a backend's error codes.
 *
 * @module
 */

/** Base class of every error an object store throws on purpose. */
export class StoreError extends Error {
  override name = "StoreError";
}

/** The object does not exist (S3 `NoSuchKey` / `NotFound`). */
export class NotFoundError extends StoreError {
  override name = "NotFoundError";
  /** Creates the error for `key`. */
  constructor(readonly key: string, action = "read") {
    super(`Cannot ${action} ${key}: no such object`);
  }
}

/** A conditional write lost: `ifNoneMatch: "*"` on an existing key, or `ifMatch` on a changed one. */
export class PreconditionFailedError extends StoreError {
  override name = "PreconditionFailedError";
  /** Creates the error for `key`. */
  constructor(readonly key: string, reason: string) {
    super(`Cannot write ${key}: precondition failed (${reason})`);
  }
}

/** The key is not a valid object key (escapes the root, holds NUL or backslashes, ...). */
export class InvalidKeyError extends StoreError {
  override name = "InvalidKeyError";
  /** Creates the error for `key`. */
  constructor(readonly key: string, reason: string) {
    super(`Cannot use object key ${JSON.stringify(key)}: ${reason}`);
  }
}

/** The backend could not be reached or answered with a transient failure; retrying may help. */
export class StoreUnavailableError extends StoreError {
  override name = "StoreUnavailableError";
}
