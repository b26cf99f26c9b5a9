/**
 * `dataset.images@1`: the PNG/JPEG images of a folder or generated colour images (random colours,
 * or with `generator: colour_modes` objects with known colour modes), with a test share chosen by
 * the seed (`loadImageSet`).
 * @module
 */
import { imagesData } from "../../pipelines/mod.ts";
import { loadImageSet } from "../data/mod.ts";
import { encodeImageSet } from "./formats/mod.ts";
import { implement } from "./stage.ts";

/** Reads or generates the images. */
export default implement(imagesData, async (ctx, p) => {
  const set = await loadImageSet({
    root: p.root,
    size: p.size,
    limit: p.limit,
    generated: p.generated,
    generator: p.generator,
    testFraction: p.test_fraction,
    seed: p.seed,
    warn: (line) => console.warn(`${ctx.id}: ${line}`),
  });
  return { images: encodeImageSet(set) };
});
