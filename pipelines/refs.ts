/**
 * References in pipeline files: `${{ params.<name>[.<key>…] }}` and
 * `${{ stages.<id>.outputs.<name> }}`. Lookups only; no operators, functions or nesting.
 *
 * @module
 */

import { didYouMean } from "./suggest.ts";

/** A parsed reference. */
export type Ref =
  | { kind: "param"; path: string[] }
  | { kind: "output"; stage: string; output: string };

/** One `${{ … }}` occurrence in a string: a reference, or the reason it is not one. */
export interface RefMatch {
  /** The whole `${{ … }}` text. */
  text: string;
  /** Offsets of `text` in the string. */
  start: number;
  end: number;
  ref?: Ref;
  error?: string;
}

const SEGMENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const ROOTS = ["params", "stages"];

/** `${{ params.a.b }}` / `${{ stages.x.outputs.y }}` for a reference. */
export function refText(ref: Ref): string {
  const inner = ref.kind === "param"
    ? `params.${ref.path.join(".")}`
    : `stages.${ref.stage}.outputs.${ref.output}`;
  return `\${{ ${inner} }}`;
}

/** Every `${{ … }}` in `s`, in order. */
export function scanRefs(s: string): RefMatch[] {
  const out: RefMatch[] = [];
  let from = 0;
  for (;;) {
    const start = s.indexOf("${{", from);
    if (start < 0) return out;
    const close = s.indexOf("}}", start + 3);
    if (close < 0) {
      out.push({
        text: s.slice(start),
        start,
        end: s.length,
        error: 'Cannot parse reference: missing closing "}}"',
      });
      return out;
    }
    const end = close + 2;
    out.push({ text: s.slice(start, end), start, end, ...parseInner(s.slice(start + 3, close)) });
    from = end;
  }
}

/** The reference when `s` is exactly one `${{ … }}` (surrounding spaces allowed), else `undefined`. */
export function wholeRef(s: string): RefMatch | undefined {
  const matches = scanRefs(s);
  if (matches.length !== 1) return undefined;
  const [m] = matches;
  return s.slice(0, m.start).trim() === "" && s.slice(m.end).trim() === "" ? m : undefined;
}

function parseInner(inner: string): { ref?: Ref; error?: string } {
  const expr = inner.trim();
  const parts = expr.split(".");
  if (expr === "" || !parts.every((p) => SEGMENT.test(p))) {
    return {
      error: `Cannot parse reference "${expr}": only lookups like params.<name> or ` +
        "stages.<id>.outputs.<name> are allowed",
    };
  }
  const [root, ...rest] = parts;
  if (root === "params") {
    if (rest.length === 0) {
      return { error: 'Cannot resolve "params": name a param, e.g. params.seed' };
    }
    return { ref: { kind: "param", path: rest } };
  }
  if (root === "stages") {
    if (rest.length === 3 && rest[1] === "outputs") {
      return { ref: { kind: "output", stage: rest[0], output: rest[2] } };
    }
    const hint = rest.length === 3 ? didYouMean(rest[1], ["outputs"]) : "";
    return { error: `Cannot resolve "${expr}": expected stages.<id>.outputs.<name>${hint}` };
  }
  return {
    error: `Cannot resolve "${expr}": references start with "params." or "stages."${
      didYouMean(root, ROOTS)
    }`,
  };
}
