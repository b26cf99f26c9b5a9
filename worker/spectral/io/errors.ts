/**
 * The error every shape reader throws for a malformed or hostile file: it names the file, the
 * line (text) or byte offset (binary), and the reason.
 */

/** Where in a file a problem was found. */
export interface FilePosition {
  line?: number;
  offset?: number;
}

/** A refused shape file. */
export class ShapeFileError extends Error {
  override name = "ShapeFileError";
  /** The file name as given to the reader. */
  readonly file: string;
  /** 1-based line, for text content. */
  readonly line?: number;
  /** 0-based byte offset, for binary content. */
  readonly offset?: number;
  /** What is wrong. */
  readonly reason: string;

  constructor(file: string, at: FilePosition, reason: string) {
    const where = at.line !== undefined
      ? `line ${at.line}: `
      : at.offset !== undefined
      ? `byte ${at.offset}: `
      : "";
    super(`Cannot read ${file}: ${where}${reason}`);
    this.file = file;
    this.line = at.line;
    this.offset = at.offset;
    this.reason = reason;
  }
}

/** Largest element count any reader accepts, whatever the file size. */
export const MAX_ELEMENTS = 1 << 27;

/**
 * Refuses a declared element count that the remaining bytes cannot hold (each element needs at
 * least `minBytes`), before anything is allocated for it.
 */
export function checkCount(
  file: string,
  at: FilePosition,
  what: string,
  count: number,
  minBytes: number,
  available: number,
): void {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new ShapeFileError(file, at, `invalid ${what} count ${count}`);
  }
  if (count > MAX_ELEMENTS) {
    throw new ShapeFileError(
      file,
      at,
      `${what} count ${count} exceeds the limit of ${MAX_ELEMENTS}`,
    );
  }
  if (count * minBytes > available) {
    throw new ShapeFileError(
      file,
      at,
      `${what} count ${count} needs at least ${
        count * minBytes
      } bytes but only ${available} remain`,
    );
  }
}
