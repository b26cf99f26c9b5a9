/**
 * Explicit manifests at the top of a dataset, which list exactly the objects that make it:
 *
 * - `manifest.json`: `{"version"?: 1, "objects": [{"path", "class"?, "split"?, "size"?,
 *   "etag"?}]}` (also `hash` and `created`, written by the service and ignored on reading);
 * - `manifest.csv`: a header row naming some of `path,class,split,size,etag` (`path` required),
 *   one object per row; an empty cell is an absent value.
 *
 * `path` is relative to the dataset prefix. An absent `class` or `split` comes from the folder
 * layout; `null` (JSON) means none. A `size` or `etag` pins the object: reading the dataset fails
 * when it no longer matches. Every error names its line and column.
 *
 * @module
 */

import { parse as parseCsv } from "csv-parse/sync";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { validateKey } from "../store/mod.ts";
import type { DatasetProblem } from "./errors.ts";
import { isDataPath, type ManifestFileName, SPLITS } from "./layout.ts";
import type { DatasetManifest } from "./manifest.ts";

/** Largest manifest file read, in bytes. */
export const MAX_MANIFEST_BYTES = 64 << 20;

/** One object an explicit manifest lists. */
export interface ManifestFileObject {
  path: string;
  /** Class; `null` for none; absent: from the layout. */
  class?: string | null;
  /** Split; `null` for none; absent: from the layout. */
  split?: "train" | "test" | null;
  /** Pinned size. */
  size?: number;
  /** Pinned ETag. */
  etag?: string;
  /** Where the file lists it, for messages (`manifest.json line 4, column 7`). */
  where: string;
}

/** A parsed explicit manifest. */
export interface ManifestFile {
  source: ManifestFileName;
  objects: ManifestFileObject[];
}

const ClassName = z.string().min(1).max(128).regex(
  // deno-lint-ignore no-control-regex
  /^[^/\u0000-\u001f\u007f]+$/,
  "a class name has no '/' and no control character",
);

const FileObject = z.strictObject({
  path: z.string().min(1).max(1024),
  class: ClassName.nullable().optional(),
  split: z.enum(SPLITS).nullable().optional(),
  size: z.number().int().min(0).optional(),
  etag: z.string().min(1).max(256).optional(),
});

const JsonManifest = z.strictObject({
  version: z.literal(1).optional(),
  hash: z.string().optional(),
  created: z.string().optional(),
  objects: z.array(FileObject),
});

const CSV_COLUMNS = ["path", "class", "split", "size", "etag"];

/**
 * Parses an explicit manifest stored at `key` (its file name is `source`). Returns the objects,
 * or every problem found, each keyed by `key` with its line and column in the message.
 */
export function parseManifestFile(
  source: ManifestFileName,
  key: string,
  text: string,
): { file: ManifestFile } | { problems: DatasetProblem[] } {
  const parsed = source === "manifest.json" ? parseJson(text) : parseCsvRows(text);
  if ("errors" in parsed) {
    return { problems: parsed.errors.map((message) => ({ key, message })) };
  }
  const errors: string[] = [];
  const seen = new Map<string, string>();
  for (const object of parsed.objects) {
    const problem = pathProblem(object.path);
    if (problem !== null) errors.push(`${object.where}: path ${problem}`);
    const earlier = seen.get(object.path);
    if (earlier !== undefined) {
      errors.push(`${object.where}: path ${object.path} is listed twice (first at ${earlier})`);
    }
    seen.set(object.path, object.where);
  }
  if (errors.length > 0) return { problems: errors.map((message) => ({ key, message })) };
  return { file: { source, objects: parsed.objects } };
}

function pathProblem(path: string): string | null {
  try {
    validateKey(path);
  } catch (e) {
    return (e as Error).message.replace(/^Cannot use object key /, "");
  }
  return isDataPath(path) ? null : `${path} is a manifest, hidden or marker file, not data`;
}

type Parsed = { objects: ManifestFileObject[] } | { errors: string[] };

function parseJson(text: string): Parsed {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, strict: true, uniqueKeys: true });
  const at = (offset: number) => {
    const p = lines.linePos(offset);
    return `manifest.json line ${p.line}, column ${p.col}`;
  };
  if (doc.errors.length > 0) {
    return { errors: doc.errors.map((e) => `${at(e.pos[0])}: ${e.message.split("\n")[0]}`) };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { errors: [`manifest.json: not JSON (${(e as Error).message})`] };
  }
  const checked = JsonManifest.safeParse(value);
  const offsetOf = (path: readonly PropertyKey[]): number => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as (string | number)[], true) as
        | { range?: [number, number] }
        | undefined;
      if (node?.range) return node.range[0];
    }
    return 0;
  };
  if (!checked.success) {
    return {
      errors: checked.error.issues.map((issue) =>
        `${at(offsetOf(issue.path))}: ${formatPath(issue.path)}: ${issue.message}`
      ),
    };
  }
  return {
    objects: checked.data.objects.map((o, i) => ({
      ...o,
      where: at(offsetOf(["objects", i])),
    })),
  };
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(the document)";
  return path.map((p, i) => typeof p === "number" ? `[${p}]` : `${i > 0 ? "." : ""}${String(p)}`)
    .join("");
}

function parseCsvRows(text: string): Parsed {
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    rows = parseCsv(text, {
      columns: (header: string[]) => header.map((h) => h.trim()),
      bom: true,
      skip_empty_lines: true,
      record_delimiter: ["\r\n", "\n"],
      info: true,
    });
  } catch (e) {
    const lines = (e as { lines?: number }).lines;
    const where = lines === undefined ? "manifest.csv" : `manifest.csv line ${lines}`;
    return { errors: [`${where}: ${(e as Error).message.replace(/^Invalid \w+: /, "")}`] };
  }
  const header = rows.length > 0 ? Object.keys(rows[0].record) : headerOf(text);
  const unknown = header.filter((h) => !CSV_COLUMNS.includes(h));
  if (!header.includes("path") || unknown.length > 0) {
    return {
      errors: [
        `manifest.csv line 1: the header must name path and may name class, split, size, etag` +
        (unknown.length > 0 ? `; unknown column ${unknown.map((u) => `"${u}"`).join(", ")}` : ""),
      ],
    };
  }
  const errors: string[] = [];
  const objects: ManifestFileObject[] = [];
  for (const { record, info } of rows) {
    const where = `manifest.csv line ${info.lines}`;
    const cells: Record<string, unknown> = {};
    for (const [column, cell] of Object.entries(record)) {
      if (cell === "") continue;
      cells[column] = column === "size" && /^\d+$/.test(cell) ? Number(cell) : cell;
    }
    const checked = FileObject.safeParse(cells);
    if (!checked.success) {
      for (const issue of checked.error.issues) {
        errors.push(`${where}, column ${String(issue.path[0] ?? "?")}: ${issue.message}`);
      }
      continue;
    }
    objects.push({ ...checked.data, where });
  }
  return errors.length > 0 ? { errors } : { objects };
}

function headerOf(text: string): string[] {
  const first = text.replace(/^\uFEFF/, "").split(/\r?\n/)[0] ?? "";
  return first === "" ? [] : first.split(",").map((h) => h.trim());
}

/**
 * `manifest` as a `manifest.json` that lists every object with its class and split and pins its
 * size and ETag (what `POST /v1/datasets/{name}/manifest` stores).
 */
export function formatManifestJson(manifest: DatasetManifest, created: Date = new Date()): string {
  const objects = manifest.entries.map((e) => ({
    path: e.path,
    class: e.class,
    split: e.split,
    size: e.size,
    etag: e.etag,
  }));
  return JSON.stringify(
    { version: 1, hash: manifest.hash, created: created.toISOString(), objects },
    null,
    1,
  ) + "\n";
}
