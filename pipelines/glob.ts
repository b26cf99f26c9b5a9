/**
 * Object key patterns of pipeline triggers: a small glob over `/`-separated keys.
 *
 * - `*` matches any run of characters inside one segment (never a `/`), the empty run included:
 *   `datasets/<*>/_READY` (written without the angle brackets) matches `datasets/shapes/_READY`,
 *   not `datasets/a/b/_READY`.
 * - `**` as a whole segment matches zero or more whole segments: `datasets/<**>/_READY` matches
 *   `datasets/_READY`, `datasets/a/_READY` and `datasets/a/b/_READY`.
 * - Every other character is literal, compared exactly (case-sensitive, no Unicode
 *   normalisation). `?`, `[`, `]`, `{`, `}` and `\` are refused in patterns rather than read
 *   literally, so a pattern written for a shell or gitignore glob fails loudly instead of never
 *   matching. No regular expression is built from the pattern: matching walks segments and
 *   characters, in time O(pattern × key), whatever the input.
 *
 * Shape rules (each refused with the reason): at most 1 KiB, relative, no empty, `.` or `..`
 * segment, no control character; `**` only as a whole segment; the first segment literal (it is
 * what the worker lists) and the last segment literal (the marker object: see triggers.ts).
 *
 * @module
 */

/** Longest pattern (and key) in UTF-8 bytes: the S3 key limit. */
export const MAX_PATTERN_BYTES = 1024;

/** One segment of a pattern: `**`, or literal text split at its `*`s. */
export type PatternSegment = { globstar: true } | { parts: string[] };

/** A checked key pattern. */
export interface KeyPattern {
  /** The pattern as written. */
  text: string;
  segments: PatternSegment[];
  /** The literal text before the first wildcard: every matching key starts with it. */
  literalPrefix: string;
}

/** Why a pattern is refused: a message and the offending substring's offsets in the pattern. */
export interface PatternProblem {
  message: string;
  start: number;
  end: number;
}

const REFUSED = /[?[\]{}\\]/;
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const encoder = new TextEncoder();

/** Parses a pattern; the problem says what is wrong and where. */
export function parsePattern(text: string): KeyPattern | PatternProblem {
  const whole = { start: 0, end: Math.max(1, text.length) };
  if (text === "") return { message: "the pattern is empty", ...whole };
  if (encoder.encode(text).length > MAX_PATTERN_BYTES) {
    return { message: `the pattern is longer than ${MAX_PATTERN_BYTES} bytes`, ...whole };
  }
  const control = CONTROL.exec(text);
  if (control !== null) {
    return at(text, control.index, 1, "a pattern cannot hold NUL or another control character");
  }
  const refused = REFUSED.exec(text);
  if (refused !== null) {
    return at(
      text,
      refused.index,
      1,
      `"${refused[0]}" is not allowed: only "*" (within a segment) and "**" (whole segments) ` +
        "are wildcards",
    );
  }
  if (text.startsWith("/")) return at(text, 0, 1, 'a pattern is relative: remove the leading "/"');
  const segments: PatternSegment[] = [];
  let offset = 0;
  for (const segment of text.split("/")) {
    const problem = segmentProblem(text, segment, offset);
    if (problem !== undefined) return problem;
    segments.push(segment === "**" ? { globstar: true } : { parts: segment.split("*") });
    offset += segment.length + 1;
  }
  const star = text.indexOf("*");
  return { text, segments, literalPrefix: star < 0 ? text : text.slice(0, star) };
}

function segmentProblem(text: string, segment: string, offset: number): PatternProblem | undefined {
  if (segment === "") {
    const end = offset === text.length;
    return at(
      text,
      Math.max(0, offset - 1),
      1,
      end
        ? "a pattern names objects, not a folder: end it with the marker's name (e.g. _READY)"
        : 'a pattern cannot have an empty segment ("//")',
    );
  }
  if (segment === "." || segment === "..") {
    return at(text, offset, segment.length, `a pattern cannot have a "${segment}" segment`);
  }
  if (segment.includes("**") && segment !== "**") {
    const i = segment.indexOf("**");
    return at(text, offset + i, segment.length - i, '"**" must be a whole segment (a/**/b)');
  }
  return undefined;
}

function at(text: string, start: number, length: number, message: string): PatternProblem {
  return { message, start, end: Math.min(text.length, start + Math.max(1, length)) };
}

/** True when `pattern` matches the whole of `key`. */
export function matchPattern(pattern: KeyPattern, key: string): boolean {
  const segments = key.split("/");
  // Wildcard matching with one kind of star, at the segment level: `**` is the star and a
  // pattern segment "equals" a key segment when matchSegment says so. On a mismatch, the last
  // `**` takes one more key segment; each key segment is retried at most once per `**`.
  const pats = pattern.segments;
  let p = 0;
  let k = 0;
  let starP = -1;
  let starK = 0;
  while (k < segments.length) {
    const seg: PatternSegment | undefined = pats[p];
    if (seg !== undefined && "globstar" in seg) {
      starP = p++;
      starK = k;
    } else if (seg !== undefined && matchSegment(seg.parts, segments[k])) {
      p++;
      k++;
    } else if (starP >= 0) {
      p = starP + 1;
      k = ++starK;
    } else {
      return false;
    }
  }
  while (p < pats.length && "globstar" in pats[p]) p++;
  return p === pats.length;
}

/** True when `text` matches the literal `parts` with a `*` between each two. */
function matchSegment(parts: readonly string[], text: string): boolean {
  if (parts.length === 1) return parts[0] === text;
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (first.length + last.length > text.length) return false;
  if (!text.startsWith(first) || !text.endsWith(last)) return false;
  // Leftmost placement of each middle part is optimal when stars separate them all.
  let from = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const found = text.indexOf(parts[i], from);
    if (found < 0 || found + parts[i].length > end) return false;
    from = found + parts[i].length;
  }
  return true;
}
