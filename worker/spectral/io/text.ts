/**
 * Line-oriented tokenising of text shape files: CRLF or LF line ends, `#` comments, blank
 * lines skipped, strict number syntax (no NaN, Infinity, hex or empty tokens).
 */
import { ShapeFileError } from "./errors.ts";

/** One non-empty line: its 1-based number, its tokens and the bytes left after it (approx.). */
export interface TextLine {
  line: number;
  tokens: string[];
  remaining: number;
}

const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INT = /^[+-]?\d+$/;

/** Iterates non-empty lines of `text`, splitting on whitespace (and commas when `commas`). */
export class LineReader {
  readonly file: string;
  readonly #text: string;
  readonly #commas: boolean;
  readonly #comments: boolean;
  #pos = 0;
  #line = 0;

  constructor(file: string, text: string, opts: { commas?: boolean; comments?: boolean } = {}) {
    this.file = file;
    this.#text = text;
    this.#commas = opts.commas ?? false;
    this.#comments = opts.comments ?? true;
  }

  /** The current 1-based line number (of the last line returned). */
  get line(): number {
    return this.#line;
  }

  /** The next line with at least one token, or null at the end. */
  next(): TextLine | null {
    const text = this.#text;
    while (this.#pos < text.length) {
      let end = text.indexOf("\n", this.#pos);
      if (end < 0) end = text.length;
      let raw = text.slice(this.#pos, end);
      this.#pos = end + 1;
      this.#line++;
      if (this.#comments) {
        const hash = raw.indexOf("#");
        if (hash >= 0) raw = raw.slice(0, hash);
      }
      const tokens = raw.split(this.#commas ? /[\s,]+/ : /\s+/).filter((t) => t.length > 0);
      if (tokens.length > 0) {
        return { line: this.#line, tokens, remaining: Math.max(0, text.length - this.#pos) };
      }
    }
    return null;
  }

  /** The rest of the text from the current position (for headers glued to data). */
  get remaining(): number {
    return Math.max(0, this.#text.length - this.#pos);
  }

  /** Throws a {@link ShapeFileError} at the current line. */
  fail(reason: string, line = this.#line): never {
    throw new ShapeFileError(this.file, { line }, reason);
  }

  /** Parses a finite float token or fails naming it. */
  float(token: string | undefined, what: string, line = this.#line): number {
    if (token === undefined) this.fail(`missing ${what}`, line);
    const v = FLOAT.test(token) ? Number(token) : NaN;
    if (!Number.isFinite(v)) {
      this.fail(`invalid ${what} '${clip(token)}' (expected a finite number)`, line);
    }
    return v;
  }

  /** Parses an integer token or fails naming it. */
  int(token: string | undefined, what: string, line = this.#line): number {
    if (token === undefined) this.fail(`missing ${what}`, line);
    const v = INT.test(token) ? Number(token) : NaN;
    if (!Number.isSafeInteger(v)) {
      this.fail(`invalid ${what} '${clip(token)}' (expected an integer)`, line);
    }
    return v;
  }
}

/** True when every token is a valid number. */
export function allNumeric(tokens: readonly string[]): boolean {
  return tokens.every((t) => FLOAT.test(t));
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
