/**
 * `features.extract@1`: one CSV row per shape (id, split, label, f0…): the features of the
 * model's H on the clean maps (`BackboneModel.features`, pooled as `pool` says), or the raw
 * rotation invariants of the maps.
 * @module
 */
import { featuresExtract } from "../../pipelines/mod.ts";
import { BackboneModel, cleanInputs } from "../models/mod.ts";
import { SPLITS } from "../spectral/mod.ts";
import { decodeMapSet, encodeFeatures } from "./formats/mod.ts";
import { implement } from "./stage.ts";

/** Extracts the features. */
export default implement(featuresExtract, async (ctx, p) => {
  const maps = decodeMapSet(await ctx.input("maps"));
  const n = maps.labels.length;
  let x: Float32Array;
  let dim: number;
  if (p.source === "invariants") {
    x = maps.invariants;
    dim = x.length / Math.max(n, 1);
  } else {
    const model = BackboneModel.decode(await ctx.gpu(), await ctx.input("model"));
    try {
      const rows = Array.from({ length: n }, (_, i) => i);
      ({ features: x, dim } = await model.features(
        cleanInputs(maps.values, maps.valid, rows),
        p.pool,
      ));
    } finally {
      model.dispose();
    }
  }
  const features = encodeFeatures({
    ids: maps.meta.ids,
    split: Array.from(maps.split, (s) => SPLITS[s]),
    labels: Array.from(maps.labels, (l) => maps.meta.classes[l]),
    dim,
    x,
  });
  return { features };
});
