/**
 * `dataset.modelnet@1`: the meshes of `<root>/<class>/{train,test}/*.off` (or of a packed mesh
 * folder) sampled into normalised point clouds (`sampleShapeSet` in spectral/shape_set.ts).
 * @module
 */
import { modelnet } from "../../pipelines/mod.ts";
import { listModelNet, type MeshFiles, sampleShapeSet } from "../spectral/mod.ts";
import { encodeShapeSet, unpackFolder } from "./formats/mod.ts";
import { implement } from "./stage.ts";

/** Reads and samples the dataset. */
export default implement(modelnet, async (ctx, p) => {
  let files: MeshFiles;
  if (p.root !== "") {
    files = await listModelNet(p.root);
  } else {
    const packed = unpackFolder(await ctx.input("meshes"));
    files = new Map([...packed].map(([k, v]) => [k, () => Promise.resolve(v)]));
  }
  const shapes = await sampleShapeSet(files, {
    classes: p.classes,
    maxPerClass: p.max_per_class,
    points: p.points,
    seed: p.seed,
    onProgress: (done, total) => ctx.progress({ unit: "shapes", done, total }),
  });
  return { shapes: encodeShapeSet(shapes) };
});
