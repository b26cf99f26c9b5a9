/**
 * `dataset.images@1`: the PNG/JPEG images of a folder, of a bucket dataset
 * `s3://<bucket>/datasets/<name>/` (downloaded into the worker's object cache), or generated
 * colour images (random colours, or with `generator: colour_modes` objects with known colour
 * modes), with a test share chosen by the seed (`loadImageSet`). The `manifest` output records
 * what was read.
 * @module
 */
import { imagesData } from "../../pipelines/mod.ts";
import {
  bucketRecord,
  type DatasetRecord,
  type ImageFile,
  isImagePath,
  loadImageSet,
  localRecord,
  resolveDatasetRoot,
} from "../data/mod.ts";
import { encodeImageSet, encodeJson } from "./formats/mod.ts";
import { datasetBucket, implement } from "./stage.ts";

/** Reads or generates the images. */
export default implement(imagesData, async (ctx, p) => {
  let files: ImageFile[] | undefined;
  let record: DatasetRecord | undefined;
  if (p.root !== "") {
    const resolved = await resolveDatasetRoot(p.root, {
      field: `stages.${ctx.id}.with.root`,
      bucket: datasetBucket(ctx.env),
      planned: ctx.planned.root,
      onProgress: (done, total) => ctx.progress({ unit: "objects", done, total }),
    });
    if (resolved.kind === "bucket") {
      files = resolved.report.objects.filter((o) => isImagePath(o.entry.path))
        .map((o) => ({ name: o.entry.path, path: o.file }));
      record = bucketRecord(p.root, resolved.manifest);
    }
  }
  const set = await loadImageSet({
    root: p.root,
    files,
    size: p.size,
    limit: p.limit,
    generated: p.generated,
    generator: p.generator,
    maxObjects: p.max_objects,
    testFraction: p.test_fraction,
    seed: p.seed,
    warn: (line) => console.warn(`${ctx.id}: ${line}`),
  });
  record ??= localRecord(
    p.root,
    p.root === "" ? "generated" : "folder",
    set.ids.map((path) => ({ path, class: null, split: null })),
  );
  return { images: encodeImageSet(set), manifest: encodeJson(record) };
});
