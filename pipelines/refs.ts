/**
 * References in pipeline files: `${{ params.<name>[.<key>…] }}`, `${{ matrix.<key>[.<key>…] }}`
 * (inside a stage with a `matrix:`), `${{ stages.<id>.outputs.<name> }}` and
 * `${{ trigger.<value> }}` (inside `triggers[].params`, see triggers.ts). Lookups only; no
 * operators, functions or nesting.
 *
 * A stage id in a reference is made of dot-separated names (`train.l1`). Inside a matrix stage a
 * part may be a matrix lookup in brackets: `[matrix.<key>]` is the name of this expansion's entry
 * for that key (`stages.train[matrix.model]` is `train.l1` where `model` is `l1`), and
 * `[matrix.<key>.<field>…]` a name stored in the entry's value. In a table input, `*` as the last
 * part stands for every stage whose id continues the prefix (`stages.eval.*`).
 *
 * @module
 */

import { didYouMean } from "./suggest.ts";

/** One part of the stage id in a reference. */
export type IdPart =
  | { name: string }
  | { matrix: string[] }
  | { all: true };

/** A parsed reference. */
export type Ref =
  | { kind: "param"; path: string[] }
  | { kind: "matrix"; path: string[] }
  | { kind: "trigger"; path: string[] }
  | {
    kind: "output";
    /** The stage id as written, e.g. `maps`, `train.l1`, `train[matrix.model]`, `eval.*`. */
    stage: string;
    parts: IdPart[];
    output: string;
  };

/** A reference to a stage output. */
export type OutputRefExpr = Extract<Ref, { kind: "output" }>;

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
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
const ROOTS = ["params", "matrix", "stages", "trigger"];
const LOOKUPS = "only lookups like params.<name>, matrix.<key>, stages.<id>.outputs.<name> " +
  "or trigger.key are allowed";

/** The text of a stage id made of `parts`: `train.l1`, `train[matrix.model]`, `eval.*`. */
export function idText(parts: readonly IdPart[]): string {
  let out = "";
  for (const p of parts) {
    if ("matrix" in p) out += `[matrix.${p.matrix.join(".")}]`;
    else out += (out === "" ? "" : ".") + ("all" in p ? "*" : p.name);
  }
  return out;
}

/** `params.a.b` / `matrix.k` / `stages.x.outputs.y` / `trigger.key` for a reference. */
export function refPath(ref: Ref): string {
  if (ref.kind === "output") return `stages.${ref.stage}.outputs.${ref.output}`;
  return `${ref.kind === "param" ? "params" : ref.kind}.${ref.path.join(".")}`;
}

/** `${{ params.a.b }}`, `${{ matrix.k }}`, `${{ stages.x.outputs.y }}`, `${{ trigger.key }}`. */
export function refText(ref: Ref): string {
  return `\${{ ${refPath(ref)} }}`;
}

/** A reference to output `output` of the stage with the literal id `id`. */
export function outputRef(id: string, output: string): OutputRefExpr {
  return { kind: "output", stage: id, parts: id.split(".").map((name) => ({ name })), output };
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
  const root = /^[A-Za-z_]+/.exec(expr)?.[0] ?? "";
  if (root === "stages" && /^stages[.[]/.test(expr)) return parseOutputRef(expr);
  const parts = expr.split(".");
  if (expr === "" || !parts.every((p) => SEGMENT.test(p))) {
    return { error: `Cannot parse reference "${expr}": ${LOOKUPS}` };
  }
  const rest = parts.slice(1);
  const kinds = { params: "param", matrix: "matrix", trigger: "trigger" } as const;
  if (parts[0] === "params" || parts[0] === "matrix" || parts[0] === "trigger") {
    if (rest.length === 0) {
      const what = {
        params: "a param, e.g. params.seed",
        matrix: "a key, e.g. matrix.model",
        trigger: "a value, e.g. trigger.key",
      }[parts[0]];
      return { error: `Cannot resolve "${parts[0]}": name ${what}` };
    }
    return { ref: { kind: kinds[parts[0]], path: rest } };
  }
  if (parts[0] === "stages") {
    return { error: `Cannot resolve "${expr}": expected stages.<id>.outputs.<name>` };
  }
  return {
    error: `Cannot resolve "${expr}": references start with "params.", "matrix.", "stages." or ` +
      `"trigger."${didYouMean(parts[0], ROOTS)}`,
  };
}

function parseOutputRef(expr: string): { ref?: Ref; error?: string } {
  if (!/^[A-Za-z0-9_.\-[\]* ]+$/.test(expr)) {
    return { error: `Cannot parse reference "${expr}": ${LOOKUPS}` };
  }
  const m = /^stages\.(.+)\.outputs\.([A-Za-z_][A-Za-z0-9_-]*)$/.exec(expr);
  const parts = m === null ? undefined : parseId(m[1]);
  if (m === null || parts === undefined) {
    const segments = expr.split(".");
    const hint = segments.length >= 4 ? didYouMean(segments.at(-2)!, ["outputs"]) : "";
    return { error: `Cannot resolve "${expr}": expected stages.<id>.outputs.<name>${hint}` };
  }
  if (parts.slice(0, -1).some((p) => "all" in p)) {
    return { error: `Cannot resolve "${expr}": "*" can only end a stage id (stages.<id>.*)` };
  }
  return { ref: { kind: "output", stage: idText(parts), parts, output: m[2] } };
}

/** Parts of a stage id as written in a reference, or `undefined` when it is malformed. */
function parseId(text: string): IdPart[] | undefined {
  const parts: IdPart[] = [];
  let rest = text;
  while (rest !== "") {
    const bracket = /^\[\s*matrix\.([A-Za-z0-9_.-]+?)\s*\]/.exec(rest);
    if (bracket !== null) {
      const path = bracket[1].split(".");
      if (!path.every((p) => SEGMENT.test(p))) return undefined;
      parts.push({ matrix: path });
      rest = rest.slice(bracket[0].length);
      continue;
    }
    if (parts.length > 0) {
      if (!rest.startsWith(".")) return undefined;
      rest = rest.slice(1);
    }
    const word = /^(\*|[A-Za-z0-9_-]+)/.exec(rest);
    if (word === null || (word[1] !== "*" && !NAME.test(word[1]))) return undefined;
    parts.push(word[1] === "*" ? { all: true } : { name: word[1] });
    rest = rest.slice(word[1].length);
  }
  return parts.length > 0 && "name" in parts[0] ? parts : undefined;
}
