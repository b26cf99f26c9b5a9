/**
 * Byte formats of the image artifacts: `image-set` (packed pixels, labels and split, and the
 * objects of colour-mode images),
 * `image-task` (JSON) and `image-pairs` (packed test pairs).
 * @module
 */
import type { ColourObjects, ImagePairs, ImageSet, ImageTask } from "../../data/mod.ts";
import { decodeJson, encodeJson, f32, i32, pack, unpack } from "./packed.ts";

/**
 * Encodes an `image-set` artifact; a set with colour-mode objects adds their classes to the
 * metadata and their arrays beside the pixels (a set without them encodes as before).
 */
export function encodeImageSet(set: ImageSet): Uint8Array {
  const { count, height, width, channels, classes, ids, objects } = set;
  const arrays = { pixels: set.pixels, labels: set.labels, split: set.split };
  const shapes = { pixels: [count, height, width, channels] };
  if (!objects) return pack({ count, height, width, channels, classes, ids }, arrays, shapes);
  return pack(
    { count, height, width, channels, classes, ids, colourClasses: objects.classes },
    {
      ...arrays,
      objectImage: objects.image,
      objectClass: objects.cls,
      objectHue: objects.hue,
      regions: objects.regions,
    },
    shapes,
  );
}

type ImageSetMeta = Omit<ImageSet, "pixels" | "labels" | "split" | "objects"> & {
  colourClasses?: ColourObjects["classes"];
};

/** Decodes an `image-set` artifact. */
export function decodeImageSet(bytes: Uint8Array): ImageSet {
  const p = unpack<ImageSetMeta>(bytes);
  const { colourClasses, ...meta } = p.meta;
  const set: ImageSet = {
    ...meta,
    pixels: f32(p, "pixels"),
    labels: i32(p, "labels"),
    split: i32(p, "split"),
  };
  if (!colourClasses) return set;
  const objects: ColourObjects = {
    classes: colourClasses,
    image: i32(p, "objectImage"),
    cls: i32(p, "objectClass"),
    hue: i32(p, "objectHue"),
    regions: i32(p, "regions"),
  };
  return { ...set, objects };
}

/** Encodes an `image-task` artifact. */
export function encodeTask(task: ImageTask): Uint8Array {
  return encodeJson(task);
}

/** Decodes an `image-task` artifact. */
export function decodeTask(bytes: Uint8Array): ImageTask {
  const task = decodeJson<{ kind?: unknown }>(bytes);
  if (task.kind !== "completion" && task.kind !== "colorization") {
    throw new Error(`Cannot read the image task: unknown kind ${JSON.stringify(task.kind)}`);
  }
  return task as ImageTask;
}

/** Encodes an `image-pairs` artifact. */
export function encodePairs(p: ImagePairs): Uint8Array {
  return pack(
    { rows: p.rows, inChannels: p.inChannels, outChannels: p.outChannels },
    { inputs: p.inputs, targets: p.targets, region: p.region },
  );
}

/** Decodes an `image-pairs` artifact. */
export function decodePairs(bytes: Uint8Array): ImagePairs {
  const p = unpack<{ rows: number[]; inChannels: number; outChannels: number }>(bytes);
  return {
    ...p.meta,
    inputs: f32(p, "inputs"),
    targets: f32(p, "targets"),
    region: f32(p, "region"),
  };
}
