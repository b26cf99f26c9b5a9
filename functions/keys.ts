/**
 * Object keys built from client input, confined to their prefix: a relative path of plain
 * segments (no empty, `.` or `..` segment, no leading `/`, no backslash or control character,
 * at most {@link MAX_RELATIVE_PATH} characters), so no request can name an object outside the
 * prefix it addresses. {@link RELATIVE_PATH} states the same rules as a pattern for the OpenAPI
 * document, so what the document calls valid is what {@link confineKey} accepts.
 *
 * @module
 */

import { validateKey } from "../infra/mod.ts";

/** Names used inside keys (dataset names): `[A-Za-z0-9._-]`, not `.` or `..`. */
export const SEGMENT_NAME = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,128}$/;

/**
 * Most characters (code points) of a relative path: 200 four-byte characters and the longest
 * prefix (`datasets/<128>/`, `jobs/<128>/`) stay within the store's 1024-byte keys.
 */
export const MAX_RELATIVE_PATH = 200;

// One segment: any characters but `/`, `\` and controls, and not `.` or `..` (no look-arounds,
// so every JSON Schema tool reads it): starts with a non-dot, or a dot and a non-dot, or two dots
// and more.
const CH = String.raw`[^/\\\u0000-\u001f\u007f]`;
const NO_DOT = String.raw`[^/\\\u0000-\u001f\u007f.]`;
const SEGMENT = String.raw`(?:${NO_DOT}${CH}*|\.${NO_DOT}${CH}*|\.\.${CH}+)`;

/** A confined relative path: `/`-separated segments as {@link confineKey} accepts them. */
export const RELATIVE_PATH = new RegExp(`^${SEGMENT}(?:/${SEGMENT})*$`);

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
  if ([...path].length > MAX_RELATIVE_PATH) {
    return { error: `the path is longer than ${MAX_RELATIVE_PATH} characters` };
  }
  const key = prefix + path;
  try {
    validateKey(key);
  } catch (e) {
    return { error: (e as Error).message };
  }
  return { key };
}
