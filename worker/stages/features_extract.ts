/**
 * `features.extract@1`: one CSV row per shape (id, split, label, f0…): the features of the
 * model's H on the clean maps (the bottleneck flattened or averaged over space, or every encoder
 * level average-pooled to the bottleneck grid: `BottleneckPool` in map_model.ts), or the raw rotation
 * invariants of the maps.
 * @module
 */
import { stringify } from "csv-stringify/sync";
import type { featuresExtract, StageParams } from "../../pipelines/mod.ts";
import { SPLITS } from "./modelnet.ts";
import { bottleneck, cleanInputs, decodeMapModel } from "./map_model.ts";
import { readMapSet } from "./spectral_maps.ts";
import { paramsOf, type StageImpl } from "./types.ts";

/** Extracts the features. */
export const run: StageImpl = async (ctx) => {
  const p = paramsOf<StageParams<typeof featuresExtract>>(ctx);
  const maps = readMapSet(await ctx.input("maps"));
  const n = maps.labels.length;
  let features: Float32Array;
  let dim: number;
  if (p.source === "invariants") {
    features = maps.invariants;
    dim = features.length / Math.max(n, 1);
  } else {
    const gpu = await ctx.gpu();
    const model = decodeMapModel(gpu, await ctx.input("model"));
    try {
      const rows = Array.from({ length: n }, (_, i) => i);
      ({ features, dim } = await bottleneck(
        model,
        cleanInputs(maps.values, maps.valid, rows),
        p.pool,
      ));
    } finally {
      model.model.dispose();
    }
  }
  const header = ["id", "split", "label", ...Array.from({ length: dim }, (_, j) => `f${j}`)];
  const records = Array.from({ length: n }, (_, i) => [
    maps.meta.ids[i],
    SPLITS[maps.split[i]],
    maps.meta.classes[maps.labels[i]],
    ...Array.from(features.subarray(i * dim, (i + 1) * dim), (v) => Number(v.toPrecision(6))),
  ]);
  return { features: new TextEncoder().encode(stringify([header, ...records])) };
};
