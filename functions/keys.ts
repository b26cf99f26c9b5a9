/**
 * Object keys built from client input, confined to their prefix: a relative path of plain
 * segments (no empty, `.` or `..` segment, no leading `/`, no backslash or control character),
 * so no request can name an object outside the prefix it addresses.
 *
 * @module
 */

import { validateKey } from "../infra/mod.ts";

/** Names used inside keys (dataset names): `[A-Za-z0-9._-]`, not `.` or `..`. */
export const SEGMENT_NAME = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,128}$/;

/** `prefix + path` when `path` is a confined relative path, otherwise a reason. */
export function confineKey(prefix: string, path: string): { key: string } | { error: string } {
  if (path === "") return { error: "the path is empty" };
  if (path.startsWith("/")) return { error: `the path ${JSON.stringify(path)} is absolute` };
  const bad = [...path].some((ch) => {
    const code = ch.charCodeAt(0);
    return ch === "\\" || code < 0x20 || code === 0x7f;
  });
  if (bad) {
    return { error: `the path ${JSON.stringify(path)} has a backslash or control character` };
  }
  const segments = path.split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..")) {
    return { error: `the path ${JSON.stringify(path)} has an empty, '.' or '..' segment` };
  }
  const key = prefix + path;
  try {
    validateKey(key);
  } catch (e) {
    return { error: (e as Error).message };
  }
  return { key };
}
