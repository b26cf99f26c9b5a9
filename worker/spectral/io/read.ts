/**
 * Reading shape files by extension: .off, .obj, .ply, and point lists .xyz/.pts/.csv/.txt.
 */
import type { Shape } from "../shape.ts";
import { ShapeFileError } from "./errors.ts";
import { parseObj } from "./obj.ts";
import { parseOff } from "./off.ts";
import { parsePly } from "./ply.ts";
import { parsePointList } from "./points.ts";

/** Largest file the readers accept. */
export const MAX_FILE_BYTES = 1 << 30;

/** File extensions the readers understand. */
export const SHAPE_EXTENSIONS = [".off", ".obj", ".ply", ".xyz", ".pts", ".csv", ".txt"] as const;

/** Parses a shape from the bytes of a file named `file` (the extension picks the reader). */
export function parseShape(file: string, bytes: Uint8Array): Shape {
  const ext = extension(file);
  if (bytes.length > MAX_FILE_BYTES) {
    throw new ShapeFileError(
      file,
      {},
      `the file has ${bytes.length} bytes, more than the limit of ${MAX_FILE_BYTES}`,
    );
  }
  if (ext === ".ply") return parsePly(file, bytes);
  const text = new TextDecoder().decode(bytes);
  if (ext === ".off") return parseOff(file, text);
  if (ext === ".obj") return parseObj(file, text);
  if (ext === ".xyz" || ext === ".pts" || ext === ".csv" || ext === ".txt") {
    return parsePointList(file, text);
  }
  throw new ShapeFileError(
    file,
    {},
    `unknown extension '${ext}' (expected one of ${SHAPE_EXTENSIONS.join(", ")})`,
  );
}

/** Reads and parses a shape file, refusing files above {@link MAX_FILE_BYTES} before reading. */
export async function readShapeFile(path: string): Promise<Shape> {
  let size: number;
  try {
    size = (await Deno.stat(path)).size;
  } catch (e) {
    throw new ShapeFileError(path, {}, e instanceof Error ? e.message : String(e));
  }
  if (size > MAX_FILE_BYTES) {
    throw new ShapeFileError(
      path,
      {},
      `the file has ${size} bytes, more than the limit of ${MAX_FILE_BYTES}`,
    );
  }
  return parseShape(path, await Deno.readFile(path));
}

function extension(file: string): string {
  const base = file.slice(file.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot < 0 ? "" : base.slice(dot).toLowerCase();
}
