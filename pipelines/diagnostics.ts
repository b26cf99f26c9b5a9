/**
 * Positioned errors about pipeline files and their rendering as
 * `file:line:col  path  message`, followed by the offending line and a caret.
 *
 * @module
 */

/** A path into a YAML document: mapping keys and sequence indexes. */
export type Path = readonly (string | number)[];

/** One error, located in a file (line 0 when it has no position, e.g. a `--set` argument). */
export interface Diagnostic {
  /** File name as shown to the user, or `--set` for command-line overrides. */
  file: string;
  /** 1-based line, or 0 when the error has no position. */
  line: number;
  /** 1-based column. */
  col: number;
  /** Number of characters to underline on that line (at least 1). */
  length: number;
  /** Where in the document, e.g. `stages.train.with.epochs`. */
  path: string;
  /** "Cannot <action>: <reason>". */
  message: string;
}

/** `stages.a.after[0]`-style rendering of a path; `(root)` for the empty path. */
export function formatPath(path: Path): string {
  let out = "";
  for (const part of path) {
    out += typeof part === "number" ? `[${part}]` : out === "" ? part : `.${part}`;
  }
  return out === "" ? "(root)" : out;
}

/** Orders diagnostics by file, line, column and message, dropping exact duplicates. */
export function sortDiagnostics(diags: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of diags) {
    const id = `${d.file}\0${d.line}\0${d.col}\0${d.path}\0${d.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(d);
  }
  return out.sort((a, b) =>
    a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col ||
    a.message.localeCompare(b.message)
  );
}

/**
 * Renders one diagnostic. `text` is the source of `d.file`; when given and the diagnostic has a
 * position, the offending line and a caret under the error are shown.
 */
export function formatDiagnostic(d: Diagnostic, text?: string): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.col}` : d.file;
  const head = `${where}  ${d.path}  ${d.message}`;
  if (text === undefined || d.line <= 0) return head;
  const line = text.split(/\r?\n/)[d.line - 1];
  if (line === undefined) return head;
  const gutter = String(d.line);
  const shown = line.replaceAll("\t", " ");
  const start = Math.min(d.col - 1, shown.length);
  const length = Math.max(1, Math.min(d.length, shown.length - start));
  const pad = " ".repeat(gutter.length);
  return `${head}\n  ${gutter} | ${shown}\n  ${pad} | ${" ".repeat(start)}${"^".repeat(length)}`;
}

/**
 * Renders every diagnostic (sorted) and a closing count line.
 * `sources` maps file names to their text, for the excerpts.
 */
export function formatDiagnostics(
  diags: readonly Diagnostic[],
  sources: ReadonlyMap<string, string> = new Map(),
): string {
  const sorted = sortDiagnostics(diags);
  const blocks = sorted.map((d) => formatDiagnostic(d, sources.get(d.file)));
  const n = sorted.length;
  blocks.push(`${n} error${n === 1 ? "" : "s"}`);
  return blocks.join("\n") + "\n";
}
