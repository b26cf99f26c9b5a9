/**
 * Object key rules shared by every store, so a key accepted by one backend is accepted by all.
 *
 * @module
 */

import { InvalidKeyError } from "./errors.ts";

/** Longest key in UTF-8 bytes (the S3 limit). */
export const MAX_KEY_BYTES = 1024;

const encoder = new TextEncoder();

/**
 * Throws {@link InvalidKeyError} unless `key` is a relative, `/`-separated key that stays inside
 * the store: non-empty, at most {@link MAX_KEY_BYTES} bytes, no leading or trailing `/`, no empty,
 * `.` or `..` segment, no backslash, NUL or other control character.
 */
export function validateKey(key: string): string {
  if (typeof key !== "string" || key.length === 0) throw new InvalidKeyError(key, "it is empty");
  if (encoder.encode(key).length > MAX_KEY_BYTES) {
    throw new InvalidKeyError(key, `it is longer than ${MAX_KEY_BYTES} bytes`);
  }
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) {
    throw new InvalidKeyError(key, "it contains NUL or a control character");
  }
  if (key.includes("\\")) throw new InvalidKeyError(key, "it contains a backslash");
  if (key.startsWith("/")) throw new InvalidKeyError(key, "it is an absolute path");
  if (/^[A-Za-z]:/.test(key)) throw new InvalidKeyError(key, "it is an absolute path");
  if (key.endsWith("/")) throw new InvalidKeyError(key, "it ends with '/'");
  for (const segment of key.split("/")) {
    if (segment === "") throw new InvalidKeyError(key, "it contains an empty segment ('//')");
    if (segment === "." || segment === "..") {
      throw new InvalidKeyError(key, `it contains a '${segment}' segment`);
    }
  }
  return key;
}

/**
 * Throws {@link InvalidKeyError} unless `prefix` is empty or a valid key prefix (the same rules
 * as {@link validateKey}, except that it may end with `/`).
 */
export function validatePrefix(prefix: string): string {
  if (prefix === "") return prefix;
  validateKey(prefix.endsWith("/") ? prefix.slice(0, -1) : prefix);
  return prefix;
}

/** Orders keys the way S3 lists them: by UTF-8 bytes, which is code point order. */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}
