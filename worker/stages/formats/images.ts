/**
 * Byte formats of the image artifacts: `image-set` (packed pixels, labels and split),
 * `image-task` (JSON) and `image-pairs` (packed test pairs).
 * @module
 */
import type { ImagePairs, ImageSet, ImageTask } from "../../data/mod.ts";
import { decodeJson, encodeJson, f32, i32, pack, unpack } from "./packed.ts";

/** Encodes an `image-set` artifact. */
export function encodeImageSet(set: ImageSet): Uint8Array {
  const { count, height, width, channels, classes, ids } = set;
  return pack(
    { count, height, width, channels, classes, ids },
    { pixels: set.pixels, labels: set.labels, split: set.split },
    { pixels: [count, height, width, channels] },
  );
}

/** Decodes an `image-set` artifact. */
export function decodeImageSet(bytes: Uint8Array): ImageSet {
  const p = unpack<Omit<ImageSet, "pixels" | "labels" | "split">>(bytes);
  return { ...p.meta, pixels: f32(p, "pixels"), labels: i32(p, "labels"), split: i32(p, "split") };
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
