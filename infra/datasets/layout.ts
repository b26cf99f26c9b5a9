/**
 * What an object's path inside a dataset says about it: whether it is data at all, its class and
 * split by the folder layout, and its kind by the extension.
 *
 * Layout rules, for a path relative to the dataset prefix:
 * - `<class>/{train,test}/…/<file>` (ModelNet): class and split;
 * - `{train,test}/<class>/…/<file>` (image folders by split): split and class;
 * - `<class>/…/<file>`: class, no split; `<file>` at the top: neither.
 * - Not data: `manifest.json` and `manifest.csv` at the top, any segment starting with `.`
 *   (`.DS_Store`, `.git/`) and file names starting with `_` (markers such as `_READY`).
 *
 * @module
 */

/** The splits a layout or manifest may name. */
export const SPLITS = ["train", "test"] as const;

/** A split. */
export type Split = typeof SPLITS[number];

/** Names of an explicit manifest at the top of a dataset, by precedence. */
export const MANIFEST_FILES = ["manifest.json", "manifest.csv"] as const;

/** A manifest file name. */
export type ManifestFileName = typeof MANIFEST_FILES[number];

/** Mesh files the dataset stage parses. */
export const MESH_EXTENSIONS = [".off", ".obj", ".ply"] as const;

/** Point lists the dataset stage parses (`.csv` is a point list inside a class folder). */
export const POINT_EXTENSIONS = [".xyz", ".pts", ".txt", ".csv"] as const;

/** Images of image-folder datasets. */
export const IMAGE_EXTENSIONS = [".png", ".jpg", ".jpeg"] as const;

/** What an object holds, by its extension (and, for `.csv`, whether it has a class). */
export type ObjectKind = "mesh" | "points" | "image" | "table" | "other";

/** True unless the path is a manifest file, hidden (a `.` segment) or a marker (`_` file name). */
export function isDataPath(path: string): boolean {
  if ((MANIFEST_FILES as readonly string[]).includes(path)) return false;
  const segments = path.split("/");
  if (segments.some((s) => s.startsWith("."))) return false;
  return !segments[segments.length - 1].startsWith("_");
}

/** Class and split of a path by the folder layout (see the module doc). */
export function layoutOf(path: string): { class: string | null; split: Split | null } {
  const dirs = path.split("/").slice(0, -1);
  if (dirs.length >= 2 && isSplit(dirs[1])) return { class: dirs[0], split: dirs[1] };
  if (dirs.length >= 1 && isSplit(dirs[0])) return { class: dirs[1] ?? null, split: dirs[0] };
  return { class: dirs[0] ?? null, split: null };
}

/** True for `train` and `test`. */
export function isSplit(s: string): s is Split {
  return (SPLITS as readonly string[]).includes(s);
}

/** The lower-case extension of a path's file name, with its dot (`""` when none). */
export function extensionOf(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot <= 0 ? "" : base.slice(dot).toLowerCase();
}

/** The kind of an object; a `.csv` with a class is a point list, without one a table. */
export function kindOf(path: string, hasClass: boolean): ObjectKind {
  const ext = extensionOf(path);
  if ((MESH_EXTENSIONS as readonly string[]).includes(ext)) return "mesh";
  if (ext === ".csv") return hasClass ? "points" : "table";
  if ((POINT_EXTENSIONS as readonly string[]).includes(ext)) return "points";
  if ((IMAGE_EXTENSIONS as readonly string[]).includes(ext)) return "image";
  return "other";
}
