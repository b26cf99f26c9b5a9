/**
 * `model.features@1`: features of a published map model's H on a shape set — the shapes' maps
 * made as the model reads them (its basis, order, clip and standardisation), pooled as its probe
 * was trained (or as `pool` says) — one CSV row per shape (id, split, label, f0…), for the
 * transfer protocol (paper Table 4: pretext training on one collection, a probe on another).
 * @module
 */
import { modelFeatures } from "../../pipelines/mod.ts";
import { publishedMaps, PublishedModel } from "../models/mod.ts";
import { SPLITS } from "../spectral/mod.ts";
import { decodeShapeSet, encodeFeatures, unpackFiles } from "./formats/mod.ts";
import { implement } from "./stage.ts";

/** Extracts the features. */
export default implement(modelFeatures, async (ctx, p) => {
  const shapes = decodeShapeSet(await ctx.input("shapes"));
  const gpu = await ctx.gpu();
  const model = PublishedModel.load(gpu, unpackFiles(await ctx.input("model")));
  try {
    const progress = (done: number, total: number) => ctx.progress({ unit: "shapes", done, total });
    const { maps, x } = await publishedMaps(gpu, model, shapes, progress);
    const pool = p.pool === "published" ? model.config.features?.pool ?? "flatten" : p.pool;
    const { features, dim } = await model.backbone!.features(x, pool);
    return {
      features: encodeFeatures({
        ids: maps.meta.ids,
        split: Array.from(maps.split, (s) => SPLITS[s]),
        labels: Array.from(maps.labels, (l) => maps.meta.classes[l]),
        dim,
        x: features,
      }),
    };
  } finally {
    model.dispose();
  }
});
