/**
 * A training run for the kill-and-resume test: trains a tiny cGML on the ± curves, writing a
 * checkpoint after every epoch to the path given as the first argument, for many epochs (the
 * test kills it). Run: `deno run -A worker/cgml/testdata/train_child.ts ckpt.safetensors`.
 * @module
 */
import { type CgmlConfigInput, makeConfig } from "../config.ts";
import { CgmlTrainer, type TrainingData } from "../train.ts";
import { Gpu } from "../../gpu/mod.ts";
import { PLUS_MINUS, sampleToy } from "../../data/mod.ts";

/** The tiny configuration (epochs set by the caller). */
export const CHILD_CONFIG: CgmlConfigInput = {
  H: { width: 16 },
  G: { width: 16 },
  Z: { width: 16 },
  embedDim: 8,
  batchSize: 64,
  pairsPerEpoch: 256,
  lossEvery: 2,
  innerSteps: 3,
  seed: 5,
};

/** The data of the run. */
export const CHILD_DATA: TrainingData = {
  kind: "fresh",
  sample: (rng, n) => sampleToy(PLUS_MINUS, n, rng),
};

if (import.meta.main) {
  const gpu = await Gpu.create({ log: null });
  const trainer = new CgmlTrainer(gpu, makeConfig(CHILD_CONFIG, { epochs: 100_000 }), CHILD_DATA);
  await trainer.fit({ checkpoint: Deno.args[0] });
}
