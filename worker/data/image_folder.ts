/**
 * Folders of images for the `dataset.images` stage: the .png/.jpg/.jpeg files under a local
 * folder, or image files already on local disk (a bucket dataset's objects in the worker's
 * object cache), decoded and resized to a square. Unreadable or undecodable files are skipped
 * with a warning line naming them.
 * @module
 */
import {
  decodeImage,
  IMAGE_EXTENSIONS,
  ImageReadError,
  MAX_IMAGE_FILE_BYTES,
  resizeAndCrop,
} from "./images.ts";

/** Images read by {@link readImageFolder}, all resized to `size`×`size`. */
export interface ImageFolder {
  /** Side of every image. */
  size: number;
  /** Number of images. */
  count: number;
  /** [count, size, size, 3] in [0, 1]. */
  pixels: Float32Array;
  /** Path of each image relative to the root, `/`-separated, sorted. */
  names: string[];
}

/** Options of {@link readImageFolder}. */
export interface ReadImageFolderOptions {
  /** Side of the square the images are resized and cropped to. */
  size: number;
  /** Stop after this many readable images (default: all). */
  limit?: number;
  /** Receives one line per skipped file (default: `console.warn`). */
  warn?: (line: string) => void;
}

/** An image file on local disk: its name in the dataset (ids, warnings) and its path. */
export interface ImageFile {
  name: string;
  path: string;
}

/** True for a path with an image extension (.png, .jpg, .jpeg; any case). */
export function isImagePath(path: string): boolean {
  const lower = path.toLowerCase();
  return IMAGE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/** Image files under `root` (relative, `/`-separated, sorted); unreadable folders are warned. */
async function listImageFiles(root: string, warn: (line: string) => void): Promise<string[]> {
  const found: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries: Deno.DirEntry[] = [];
    try {
      for await (const e of Deno.readDir(rel ? `${root}/${rel}` : root)) entries.push(e);
    } catch (e) {
      warn(`skipping ${rel || "."}/: ${errorText(e)}`);
      return;
    }
    for (const e of entries) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) await walk(path);
      else if (isImagePath(e.name)) found.push(path);
    }
  };
  await walk("");
  return found.sort();
}

/**
 * Reads the .png/.jpg/.jpeg files under `root` (recursively, in sorted path order; symbolic
 * links to folders are not followed) and resizes each with {@link resizeAndCrop}. Unreadable
 * or undecodable files, and files over {@link MAX_IMAGE_FILE_BYTES}, are skipped with one
 * `skipping <path>: <reason>` line to `warn`. Stops after `limit` images. Throws when `root`
 * is missing or holds no readable image.
 */
export async function readImageFolder(
  root: string,
  opts: ReadImageFolderOptions,
): Promise<ImageFolder> {
  checkOptions(opts);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(root);
  } catch (e) {
    throw new Error(`Cannot read image folder ${root}: ${errorText(e)}`);
  }
  if (!info.isDirectory) throw new Error(`Cannot read image folder ${root}: not a directory`);
  const files = await listImageFiles(root, opts.warn ?? console.warn);
  return await readImageFiles(
    files.map((rel) => ({ name: rel, path: `${root}/${rel}` })),
    opts,
    `image folder ${root}`,
  );
}

/**
 * Reads `files` in their order as {@link readImageFolder} reads a folder's (skipping bad files
 * with a warning, at most `limit` images); throws naming `where` when none is readable.
 */
export async function readImageFiles(
  files: readonly ImageFile[],
  opts: ReadImageFolderOptions,
  where: string,
): Promise<ImageFolder> {
  checkOptions(opts);
  const { size, limit = Infinity, warn = console.warn } = opts;
  const images: Float32Array[] = [];
  const names: string[] = [];
  for (const file of files) {
    if (images.length >= limit) break;
    try {
      const bytes = (await Deno.stat(file.path)).size;
      if (bytes > MAX_IMAGE_FILE_BYTES) {
        throw new ImageReadError(
          file.name,
          `file of ${bytes} bytes exceeds ${MAX_IMAGE_FILE_BYTES}`,
        );
      }
      images.push(resizeAndCrop(decodeImage(await Deno.readFile(file.path), file.name), size).data);
      names.push(file.name);
    } catch (e) {
      warn(`skipping ${file.name}: ${e instanceof ImageReadError ? e.reason : errorText(e)}`);
    }
  }
  if (images.length === 0) {
    throw new Error(
      `Cannot read ${where}: no readable ${IMAGE_EXTENSIONS.join("/")} image in it`,
    );
  }
  const pixels = new Float32Array(images.length * size * size * 3);
  images.forEach((img, i) => pixels.set(img, i * img.length));
  return { size, count: images.length, pixels, names };
}

function checkOptions({ size, limit = Infinity }: ReadImageFolderOptions): void {
  if (!(Number.isInteger(size) && size > 0)) {
    throw new RangeError(`size must be a positive integer, got ${size}`);
  }
  if (!(limit >= 1)) throw new RangeError(`limit must be at least 1, got ${limit}`);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
