/**
 * Argument checks shared by the store backends.
 *
 * @module
 */

import type { PutOptions } from "./types.ts";

/** Largest page a listing returns (the S3 limit). */
export const MAX_LIST = 1000;

/** Throws a `TypeError` for malformed conditions (caller bugs, not lost races). */
export function checkConditions(key: string, options: PutOptions): void {
  if (options.ifNoneMatch !== undefined && options.ifNoneMatch !== "*") {
    throw new TypeError(`Cannot put ${key}: ifNoneMatch only supports "*"`);
  }
  if (options.ifMatch !== undefined && stripQuotes(options.ifMatch) === "") {
    throw new TypeError(`Cannot put ${key}: ifMatch must be a non-empty ETag`);
  }
  if (options.ifNoneMatch !== undefined && options.ifMatch !== undefined) {
    throw new TypeError(`Cannot put ${key}: give ifNoneMatch or ifMatch, not both`);
  }
}

/** Validates a page size: 1..{@link MAX_LIST}, default {@link MAX_LIST}. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return MAX_LIST;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST) {
    throw new RangeError(`Cannot list: limit must be an integer in 1..${MAX_LIST}, got ${limit}`);
  }
  return limit;
}

/** Removes the surrounding double quotes S3 puts on ETags. */
export function stripQuotes(etag: string): string {
  return etag.replace(/^"(.*)"$/, "$1");
}
