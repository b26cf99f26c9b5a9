/**
 * `dataset.images@1`: the PNG/JPEG images of a folder (searched recursively, resized and
 * centre-cropped; unreadable files skipped with a warning line), or generated colour images when
 * no root is given; a share held out for testing, chosen by the seed.
 * @module
 */
import type { imagesData, StageParams } from "../../pipelines/mod.ts";
import { generateColorImages, type ImageSet, readImageFolder } from "../data/mod.ts";
import { Rng } from "../lib/mod.ts";
import { encodeImageSet } from "./image_artifacts.ts";
import { paramsOf, type StageImpl } from "./types.ts";

/** Reads or generates the images. */
export const run: StageImpl = async (ctx) => {
  const p = paramsOf<StageParams<typeof imagesData>>(ctx);
  let pixels: Float32Array;
  let ids: string[];
  if (p.root === "") {
    pixels = generateColorImages(p.generated, p.size, p.seed);
    ids = Array.from({ length: p.generated }, (_, i) => `generated-${i}`);
  } else {
    const folder = await readImageFolder(p.root, {
      size: p.size,
      limit: p.limit,
      warn: (line) => console.warn(`${ctx.id}: ${line}`),
    });
    pixels = folder.pixels;
    ids = folder.names;
  }
  const count = ids.length;
  if (count < 2) {
    throw new Error(
      `Cannot use ${count} image(s) from ${p.root || "the generator"}: need at least 2`,
    );
  }
  const order = new Rng((p.seed * 69_069 + 1) >>> 0).shuffle(
    Array.from({ length: count }, (_, i) => i),
  );
  const testCount = Math.min(count - 1, Math.max(1, Math.round(p.test_fraction * count)));
  const split = new Int32Array(count);
  for (const i of order.slice(0, testCount)) split[i] = 1;
  const set: ImageSet = {
    count,
    height: p.size,
    width: p.size,
    channels: 3,
    pixels,
    labels: new Int32Array(count),
    split,
    classes: ["image"],
    ids,
  };
  return { images: encodeImageSet(set) };
};
