/**
 * The `dataset.images` data: the PNG/JPEG images of a folder (searched recursively, resized and
 * centre-cropped; unreadable files skipped with a warning) or generated colour images (random
 * colours, or objects with known colour modes: `colour_modes.ts`), with a share held out for
 * testing chosen by the seed.
 * @module
 */
import { Rng } from "../lib/mod.ts";
import { type ColourObjects, generateColourModeImages } from "./colour_modes.ts";
import type { ImageSet } from "./image_set.ts";
import { type ImageFile, readImageFiles, readImageFolder } from "./image_folder.ts";
import { generateColorImages } from "./images.ts";

/** Settings of {@link loadImageSet}. */
export interface ImageSetOptions {
  /** Folder of images; empty = generated images. */
  root: string;
  /**
   * Image files already on local disk (a bucket dataset's objects), read in their order instead
   * of the folder; `root` then only names them in errors.
   */
  files?: readonly ImageFile[];
  /** Side of the square images. */
  size: number;
  /** Most images read from the folder. */
  limit: number;
  /** Generated images when `root` is empty. */
  generated: number;
  /**
   * What is generated: `shapes` (default: gradients and shapes in random colours) or
   * `colour_modes` (objects whose shape class fixes their possible hues).
   */
  generator?: "shapes" | "colour_modes";
  /** Most objects per `colour_modes` image (default 2). */
  maxObjects?: number;
  /** Share of the images held out for testing. */
  testFraction: number;
  seed: number;
  /** Receives a line for every file skipped. */
  warn?: (line: string) => void;
}

/** Reads or generates the images and splits them (at least one image per split). */
export async function loadImageSet(o: ImageSetOptions): Promise<ImageSet> {
  let pixels: Float32Array;
  let ids: string[];
  let objects: ColourObjects | undefined;
  const read = { size: o.size, limit: o.limit, warn: o.warn };
  if (o.files !== undefined || o.root !== "") {
    const folder = o.files !== undefined
      ? await readImageFiles(o.files, read, `the dataset ${o.root}`)
      : await readImageFolder(o.root, read);
    pixels = folder.pixels;
    ids = folder.names;
  } else if (o.generator === "colour_modes") {
    ({ pixels, objects } = generateColourModeImages(o.generated, o.size, o.seed, {
      maxObjects: o.maxObjects,
    }));
    ids = Array.from({ length: o.generated }, (_, i) => `colour-modes-${i}`);
  } else {
    pixels = generateColorImages(o.generated, o.size, o.seed);
    ids = Array.from({ length: o.generated }, (_, i) => `generated-${i}`);
  }
  const count = ids.length;
  if (count < 2) {
    throw new Error(
      `Cannot use ${count} image(s) from ${o.root || "the generator"}: need at least 2`,
    );
  }
  const order = new Rng((o.seed * 69_069 + 1) >>> 0).shuffle(
    Array.from({ length: count }, (_, i) => i),
  );
  const testCount = Math.min(count - 1, Math.max(1, Math.round(o.testFraction * count)));
  const split = new Int32Array(count);
  for (const i of order.slice(0, testCount)) split[i] = 1;
  const set: ImageSet = {
    count,
    height: o.size,
    width: o.size,
    channels: 3,
    pixels,
    labels: new Int32Array(count),
    split,
    classes: ["image"],
    ids,
  };
  return objects ? { ...set, objects } : set;
}
