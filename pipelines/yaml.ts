/**
 * Safe loading of untrusted YAML with positions.
 *
 * Uses `npm:yaml`'s `parseDocument` with a `LineCounter`, then converts the document to plain
 * JSON-like values itself so that every value keeps the range of the node it came from.
 * Limits: source size, alias expansions (against "billion laughs" bombs), total nodes and depth.
 * Tags (custom or not), merge keys (`<<`), non-scalar keys, `__proto__` keys and non-finite
 * numbers are rejected.
 *
 * @module
 */

import {
  type Alias,
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type YAMLError,
} from "yaml";
import { type Diagnostic, formatPath, type Path } from "./diagnostics.ts";

/** Limits applied while loading a YAML file. */
export interface YamlLimits {
  /** Largest accepted source, in UTF-16 code units. */
  maxLength: number;
  /** Most alias expansions in one document (each `*alias` dereference counts once). */
  maxAliasCount: number;
  /** Most values produced, counting expanded aliases. */
  maxNodes: number;
  /** Deepest nesting of mappings and sequences. */
  maxDepth: number;
}

/** Limits for pipeline and override files: small files, a few aliases. */
export const DEFAULT_LIMITS: YamlLimits = {
  maxLength: 256 * 1024,
  maxAliasCount: 64,
  maxNodes: 100_000,
  maxDepth: 64,
};

type Range = readonly [number, number];

/** Where a value sits in the text: its offsets, its key's offsets, whether it is a collection. */
export interface Spot {
  value?: Range;
  key?: Range;
  collection: boolean;
}

/** A loaded file: its text and the source range of every value, addressable by path. */
export class Source {
  readonly #lines: LineCounter;
  readonly #spots = new Map<string, Spot>();
  readonly #aliases = new Map<string, Path>();

  /** `file` is the name shown in errors. */
  constructor(readonly file: string, readonly text: string, lines: LineCounter) {
    this.#lines = lines;
  }

  /** Records where the value (and its key) at `path` sits. */
  mark(path: Path, spot: Spot): void {
    this.#spots.set(pathId(path), spot);
  }

  /**
   * Makes paths under `from` find their positions under `to`: an expanded matrix stage
   * (`stages.train.l1`) is located at its template (`stages.train`).
   */
  alias(from: Path, to: Path): void {
    this.#aliases.set(pathId(from), to);
  }

  /** Offsets of the value at `path`, when it was written in this file. */
  valueRange(path: Path): Range | undefined {
    return this.#spot(path)?.value;
  }

  #spot(path: Path): Spot | undefined {
    for (let n = this.#aliases.size > 0 ? path.length : 0; n > 0; n--) {
      const to = this.#aliases.get(pathId(path.slice(0, n)));
      if (to !== undefined) return this.#spots.get(pathId([...to, ...path.slice(n)]));
    }
    return this.#spots.get(pathId(path));
  }

  /**
   * An error about the value at `path`. With `at: "key"` it points at the mapping key; a path
   * with no recorded position falls back to its nearest recorded ancestor's key. `range` overrides
   * the position (offsets into the text).
   */
  error(
    path: Path,
    message: string,
    opts: { at?: "key" | "value"; range?: Range } = {},
  ): Diagnostic {
    let range = opts.range;
    if (range === undefined) {
      const spot = this.#spot(path);
      if (spot !== undefined) {
        const preferKey = opts.at === "key" || (opts.at === undefined && spot.collection);
        range = (preferKey ? spot.key : undefined) ?? spot.value ?? spot.key;
      }
      for (let n = path.length - 1; range === undefined && n >= 0; n--) {
        const up = this.#spot(path.slice(0, n));
        range = up?.key ?? up?.value;
      }
    }
    return this.at(range ?? [0, 1], formatPath(path), message);
  }

  /** An error at the given offsets. */
  at(range: Range, path: string, message: string): Diagnostic {
    const pos = this.#lines.linePos(range[0]);
    const endPos = this.#lines.linePos(Math.max(range[0], range[1]));
    const length = endPos.line === pos.line ? Math.max(1, endPos.col - pos.col) : 1;
    return { file: this.file, line: pos.line, col: pos.col, length, path, message };
  }
}

/** Result of {@link loadYaml}: the value is `undefined` whenever there are errors. */
export interface LoadedYaml {
  source: Source;
  value: unknown;
  errors: Diagnostic[];
}

/** Parses `text` (named `file` in errors) into plain values, collecting every error. */
export function loadYaml(
  file: string,
  text: string,
  limits: YamlLimits = DEFAULT_LIMITS,
): LoadedYaml {
  const lines = new LineCounter();
  if (text.length > limits.maxLength) {
    const source = new Source(file, "", lines);
    const message =
      `Cannot read file: ${text.length} characters is over the limit of ${limits.maxLength}`;
    return { source, value: undefined, errors: [source.at([0, 1], "(root)", message)] };
  }
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    strict: true,
    uniqueKeys: true,
    merge: false,
    schema: "core",
    version: "1.2",
  });
  const source = new Source(file, text, lines);
  const errors = syntaxErrors(source, [...doc.errors, ...doc.warnings]);
  if (errors.length > 0) return { source, value: undefined, errors };
  const walker = new Walker(doc, source, limits);
  const value = doc.contents === null
    ? walker.fail([], [0, 1], "Cannot read an empty document")
    : walker.walk(doc.contents, [], true, 0);
  if (walker.errors.length > 0) return { source, value: undefined, errors: walker.errors };
  return { source, value, errors: [] };
}

function syntaxErrors(source: Source, found: readonly YAMLError[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const lines = new Set<number>();
  for (const e of found) {
    if (e.code === "TAG_RESOLVE_FAILED") continue;
    const d = source.at(e.pos, "(root)", syntaxMessage(source.text, e));
    if (lines.has(d.line)) continue;
    lines.add(d.line);
    out.push(d);
  }
  return out;
}

function syntaxMessage(text: string, e: YAMLError): string {
  const first = e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")
    .replace(
      /unexpected flow-error-end token in YAML stream: .*/i,
      "unexpected end of input (is a [ or { not closed?)",
    );
  if (e.code === "DUPLICATE_KEY") return "Cannot parse YAML: a mapping has a duplicate key";
  if (e.code === "MULTIPLE_DOCS") return "Cannot parse YAML: expected one document, found several";
  const lineStart = text.lastIndexOf("\n", e.pos[0] - 1) + 1;
  const lineEnd = text.indexOf("\n", e.pos[0]);
  const line = text.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
  const hint = /[{[][^"']*\$\{\{/.test(line)
    ? ' (quote references inside flow collections: "${{ ... }}")'
    : "";
  return `Cannot parse YAML: ${first.charAt(0).toLowerCase()}${first.slice(1)}${hint}`;
}

class Walker {
  readonly errors: Diagnostic[] = [];
  #aliases = 0;
  #nodes = 0;
  #stopped = false;
  readonly #active = new Set<unknown>();

  constructor(
    readonly doc: Document,
    readonly source: Source,
    readonly limits: YamlLimits,
  ) {}

  fail(path: Path, range: Range, message: string): undefined {
    this.errors.push(this.source.at(range, formatPath(path), message));
    return undefined;
  }

  walk(node: unknown, path: Path, mark: boolean, depth: number): unknown {
    if (this.#stopped) return undefined;
    if (++this.#nodes > this.limits.maxNodes) {
      this.#stopped = true;
      return this.fail(
        path,
        rangeOf(node),
        `Cannot load document: more than ${this.limits.maxNodes} values`,
      );
    }
    if (isAlias(node)) return this.alias(node, path, depth);
    const range = rangeOf(node);
    if ((isScalar(node) || isMap(node) || isSeq(node)) && node.tag !== undefined) {
      const tag = node.tag.replace(/^tag:yaml\.org,2002:/, "!!");
      return this.fail(path, range, `Cannot use tag "${tag}": tags are not allowed`);
    }
    if (depth > this.limits.maxDepth) {
      this.#stopped = true;
      return this.fail(
        path,
        range,
        `Cannot load document: nesting deeper than ${this.limits.maxDepth}`,
      );
    }
    if (isScalar(node)) {
      const v = node.value;
      if (typeof v === "number" && !Number.isFinite(v)) {
        return this.fail(
          path,
          range,
          `Cannot accept ${node.source}: only finite numbers are allowed`,
        );
      }
      if (v !== null && !["string", "number", "boolean"].includes(typeof v)) {
        return this.fail(
          path,
          range,
          "Cannot accept this scalar: expected a string, number, boolean or null",
        );
      }
      return v;
    }
    if (isSeq(node)) {
      this.#active.add(node);
      const out = node.items.map((item, i) => {
        const p = [...path, i];
        if (mark) this.source.mark(p, { value: rangeOf(item), collection: isCollection(item) });
        return this.walk(item, p, mark, depth + 1);
      });
      this.#active.delete(node);
      return out;
    }
    if (isMap(node)) {
      this.#active.add(node);
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        const key = this.key(pair.key, path);
        if (key === undefined) continue;
        const p = [...path, key];
        if (mark) {
          this.source.mark(p, {
            key: rangeOf(pair.key),
            value: pair.value === null ? undefined : rangeOf(pair.value),
            collection: isCollection(pair.value),
          });
        }
        out[key] = pair.value === null ? null : this.walk(pair.value, p, mark, depth + 1);
      }
      this.#active.delete(node);
      return out;
    }
    return this.fail(path, range, "Cannot load this node: unsupported YAML construct");
  }

  key(node: unknown, path: Path): string | undefined {
    const range = rangeOf(node);
    if (!isScalar(node) || node.tag !== undefined) {
      return this.fail(path, range, "Cannot use this key: keys must be plain scalars");
    }
    const key = String(node.value);
    if (key === "<<") {
      return this.fail(path, range, 'Cannot use merge key "<<": merge keys are not supported');
    }
    if (key === "__proto__") {
      return this.fail(path, range, 'Cannot use key "__proto__": it is reserved');
    }
    return key;
  }

  alias(node: Alias, path: Path, depth: number): unknown {
    const range = rangeOf(node);
    if (++this.#aliases > this.limits.maxAliasCount) {
      this.#stopped = true;
      return this.fail(
        path,
        range,
        `Cannot expand alias "*${node.source}": more than ${this.limits.maxAliasCount} alias expansions (alias bomb?)`,
      );
    }
    const target = node.resolve(this.doc);
    if (target === undefined) {
      return this.fail(
        path,
        range,
        `Cannot resolve alias "*${node.source}": no anchor "&${node.source}" before it`,
      );
    }
    if (this.#active.has(target)) {
      return this.fail(path, range, `Cannot expand alias "*${node.source}": it refers to itself`);
    }
    return this.walk(target, path, false, depth);
  }
}

function isCollection(node: unknown): boolean {
  return isMap(node) || isSeq(node);
}

function rangeOf(node: unknown): Range {
  const r = (node as { range?: readonly number[] | null } | null)?.range;
  return r ? [r[0], r[1]] : [0, 1];
}

function pathId(path: Path): string {
  return JSON.stringify(path);
}
