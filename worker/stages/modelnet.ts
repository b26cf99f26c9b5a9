/**
 * `dataset.modelnet@1`: the meshes of `<root>/<class>/{train,test}/*.off` — a local folder, a
 * bucket dataset `s3://<bucket>/datasets/<name>/` (listed, labelled by its layout or its
 * `manifest.json`/`.csv`, downloaded into the worker's object cache) or a packed mesh folder —
 * sampled into normalised point clouds (`sampleShapeSet` in spectral/shape_set.ts). The
 * `manifest` output records what was read.
 * @module
 */
import { modelnet } from "../../pipelines/mod.ts";
import { bucketRecord, type DatasetRecord, localRecord, resolveDatasetRoot } from "../data/mod.ts";
import {
  labelledShapeFiles,
  listModelNet,
  type MeshFiles,
  sampleShapeSet,
} from "../spectral/mod.ts";
import { encodeJson, encodeShapeSet, unpackFolder } from "./formats/mod.ts";
import { datasetBucket, implement, type StageContext } from "./stage.ts";

/** Reads and samples the dataset. */
export default implement(modelnet, async (ctx, p) => {
  const source = await shapeSource(ctx, p.root);
  const shapes = await sampleShapeSet(source.files, {
    classes: p.classes,
    maxPerClass: p.max_per_class,
    points: p.points,
    seed: p.seed,
    onProgress: (done, total) => ctx.progress({ unit: "shapes", done, total }),
    labelled: { dataset: source.name },
  });
  return { shapes: encodeShapeSet(shapes), manifest: encodeJson(source.record) };
});

/** The shape files of `root` (or of the `meshes` input when it is empty), named and recorded. */
async function shapeSource(
  ctx: StageContext,
  root: string,
): Promise<{ files: MeshFiles; name: string; record: DatasetRecord }> {
  if (root === "") {
    const packed = unpackFolder(await ctx.input("meshes"));
    const files: MeshFiles = new Map(
      [...packed].map(([path, text]) => [path, {
        source: path,
        read: () => Promise.resolve(new TextEncoder().encode(text)),
      }]),
    );
    return {
      files,
      name: "of the meshes input",
      record: localRecord("", "input", labelsOf(files)),
    };
  }
  const resolved = await resolveDatasetRoot(root, {
    field: `stages.${ctx.id}.with.root`,
    bucket: datasetBucket(ctx.env),
    planned: ctx.planned.root,
    onProgress: (done, total) => ctx.progress({ unit: "objects", done, total }),
  });
  if (resolved.kind === "local") {
    const files = await listModelNet(resolved.path);
    return { files, name: `at "${root}"`, record: localRecord(root, "folder", labelsOf(files)) };
  }
  const files = labelledShapeFiles(
    resolved.report.objects.map((o) => ({
      ...o.entry,
      source: o.entry.key,
      file: o.file,
    })),
  );
  return { files, name: root, record: bucketRecord(root, resolved.manifest) };
}

/** Class and split of every file by its `<class>/<split>/…` path. */
function labelsOf(files: MeshFiles): { path: string; class: string; split: string }[] {
  return [...files.keys()].sort().map((path) => {
    const [cls, split] = path.split("/");
    return { path, class: cls, split };
  });
}
