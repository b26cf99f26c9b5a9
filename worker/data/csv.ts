/**
 * Multimodal data from a CSV file: a header names input columns `x…`, output columns `y…` (any
 * counts, at least one of each) and optionally an integer column `mode` with each row's true
 * mode. Any problem (unknown or missing columns, non-numbers, ragged rows, no rows) throws a
 * {@link CsvDataError} that names the file and line.
 * @module
 */
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import type { MultimodalData } from "./multimodal.ts";

/** A CSV file that cannot be used as multimodal data; the message names file and line. */
export class CsvDataError extends Error {
  override name = "CsvDataError";
  /** The file (or label) being read. */
  readonly file: string;
  /** 1-based line of the problem. */
  readonly line: number;

  constructor(file: string, line: number, reason: string) {
    super(`Cannot read CSV ${file}:${line}: ${reason}`);
    this.file = file;
    this.line = line;
  }
}

const X_COLUMN = /^x[A-Za-z0-9_]*$/;
const Y_COLUMN = /^y[A-Za-z0-9_]*$/;
const MODE_COLUMN = "mode";

interface Row {
  record: string[];
  info: { lines: number };
}

/** Parses CSV text; `file` is only used in error messages. */
export function parseMultimodalCsv(text: string, file: string): MultimodalData {
  const rows = readRows(text, file);
  const header = rows[0].record;
  const headerLine = rows[0].info.lines;
  const { xCols, yCols, modeCol } = dataColumns(header, headerLine, file);
  const data = rows.slice(1);
  if (data.length === 0) throw new CsvDataError(file, headerLine, "no data rows after the header");
  const n = data.length;
  const x = new Float32Array(n * xCols.length);
  const y = new Float32Array(n * yCols.length);
  const rawMode = modeCol >= 0 ? new Array<number>(n) : null;
  for (let i = 0; i < n; i++) {
    const { record, info } = data[i];
    checkWidth(record, header, file, info.lines);
    const num = (c: number): number => fieldNumber(record, c, header, file, info.lines);
    xCols.forEach((c, j) => x[i * xCols.length + j] = num(c));
    yCols.forEach((c, j) => y[i * yCols.length + j] = num(c));
    if (rawMode) {
      const v = num(modeCol);
      if (!Number.isInteger(v)) {
        throw new CsvDataError(
          file,
          info.lines,
          `column "mode" is not an integer: "${record[modeCol]}"`,
        );
      }
      rawMode[i] = v;
    }
  }
  return {
    n,
    inDim: xCols.length,
    outDim: yCols.length,
    x,
    y,
    ...modeIndices(rawMode),
    xNames: xCols.map((c) => header[c]),
    yNames: yCols.map((c) => header[c]),
  };
}

/** The rows of CSV `text`, the header first; a syntax error or an empty file throws. */
function readRows(text: string, file: string): Row[] {
  let rows: Row[];
  try {
    rows = parse(text, {
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
    }) as unknown as Row[];
  } catch (e) {
    const line = (e as { lines?: number }).lines ?? 1;
    throw new CsvDataError(file, line, (e as Error).message);
  }
  if (rows.length === 0) throw new CsvDataError(file, 1, "the file is empty");
  return rows;
}

/** The input, output and mode columns of a multimodal header (mode −1: none). */
function dataColumns(
  header: readonly string[],
  line: number,
  file: string,
): { xCols: number[]; yCols: number[]; modeCol: number } {
  const xCols: number[] = [];
  const yCols: number[] = [];
  let modeCol = -1;
  const seen = new Set<string>();
  header.forEach((name, c) => {
    if (seen.has(name)) throw new CsvDataError(file, line, `duplicate column "${name}"`);
    seen.add(name);
    if (name === MODE_COLUMN) modeCol = c;
    else if (X_COLUMN.test(name)) xCols.push(c);
    else if (Y_COLUMN.test(name)) yCols.push(c);
    else {
      throw new CsvDataError(
        file,
        line,
        `unknown column "${name}" (expected input columns x…, output columns y…, optional mode)`,
      );
    }
  });
  if (xCols.length === 0) {
    throw new CsvDataError(file, line, "missing input column (a name starting with x)");
  }
  if (yCols.length === 0) {
    throw new CsvDataError(file, line, "missing output column (a name starting with y)");
  }
  return { xCols, yCols, modeCol };
}

/** Throws unless a data row has as many fields as the header. */
function checkWidth(
  record: readonly string[],
  header: readonly string[],
  file: string,
  line: number,
) {
  if (record.length !== header.length) {
    throw new CsvDataError(
      file,
      line,
      `expected ${header.length} fields as in the header, got ${record.length}`,
    );
  }
}

/** Field `c` of a data row as a finite number; anything else throws naming the column. */
function fieldNumber(
  record: readonly string[],
  c: number,
  header: readonly string[],
  file: string,
  line: number,
): number {
  const s = record[c];
  const v = s === "" ? NaN : Number(s);
  if (!Number.isFinite(v)) {
    throw new CsvDataError(file, line, `column "${header[c]}" is not a number: "${s}"`);
  }
  return v;
}

/** Mode labels renumbered 0… in ascending order of the integers read, with their names. */
function modeIndices(rawMode: number[] | null): { mode: Int32Array | null; modeNames: string[] } {
  if (!rawMode) return { mode: null, modeNames: [] };
  const labels = [...new Set(rawMode)].sort((a, b) => a - b);
  const index = new Map(labels.map((v, i) => [v, i]));
  return { mode: Int32Array.from(rawMode, (v) => index.get(v)!), modeNames: labels.map(String) };
}

/**
 * The input columns `columns` (by header name; other columns are ignored) of every row of CSV
 * `text` — a model's inputs x…: [rows, columns.length]. Missing columns, non-numbers and ragged
 * rows throw a {@link CsvDataError} naming the file and line.
 */
export function parseInputCsv(
  text: string,
  file: string,
  columns: readonly string[],
): { rows: number; x: Float32Array } {
  const rows = readRows(text, file);
  const header = rows[0].record;
  const at = columns.map((name) => {
    const c = header.indexOf(name);
    if (c < 0) {
      throw new CsvDataError(
        file,
        rows[0].info.lines,
        `missing input column "${name}" (the model reads ${columns.join(", ")})`,
      );
    }
    return c;
  });
  const data = rows.slice(1);
  const x = new Float32Array(data.length * columns.length);
  data.forEach(({ record, info }, i) => {
    checkWidth(record, header, file, info.lines);
    at.forEach((c, j) =>
      x[i * columns.length + j] = fieldNumber(record, c, header, file, info.lines)
    );
  });
  return { rows: data.length, x };
}

/** Reads and parses a CSV file (see {@link parseMultimodalCsv}). */
export async function readMultimodalCsv(path: string): Promise<MultimodalData> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new Error(`Cannot read CSV ${path}: ${(e as Error).message}`);
  }
  return parseMultimodalCsv(text, path);
}

/**
 * Formats data as CSV text in the layout {@link parseMultimodalCsv} reads (7 significant
 * digits). The `mode` column holds the mode's name when it is an integer, else its index.
 */
export function formatMultimodalCsv(data: MultimodalData): string {
  const header = [...data.xNames, ...data.yNames, ...(data.mode ? [MODE_COLUMN] : [])];
  const rows: (string | number)[][] = [header];
  const fmt = (v: number) => Number(v.toPrecision(7));
  for (let i = 0; i < data.n; i++) {
    const row: (string | number)[] = [];
    for (let j = 0; j < data.inDim; j++) row.push(fmt(data.x[i * data.inDim + j]));
    for (let j = 0; j < data.outDim; j++) row.push(fmt(data.y[i * data.outDim + j]));
    if (data.mode) {
      const name = data.modeNames[data.mode[i]];
      row.push(/^-?\d+$/.test(name ?? "") ? name : data.mode[i]);
    }
    rows.push(row);
  }
  return stringify(rows);
}
