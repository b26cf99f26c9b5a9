/**
 * `dataset.synthetic_shapes@1`: a ModelNet-layout folder of parametric objects
 * (`syntheticMeshes` in data/shapes.ts), packed as one artifact.
 * @module
 */
import { syntheticShapes } from "../../pipelines/mod.ts";
import { syntheticMeshes } from "../data/mod.ts";
import { packFolder } from "./formats/mod.ts";
import { implement } from "./stage.ts";

/** Writes the synthetic mesh folder. */
export default implement(syntheticShapes, (ctx, p) => {
  const files = syntheticMeshes({
    classes: p.classes,
    trainPerClass: p.train_per_class,
    testPerClass: p.test_per_class,
    seed: p.seed,
    noise: p.noise,
    anisotropy: p.anisotropy,
    dropParts: p.drop_parts,
  }, (done, total) => ctx.progress({ unit: "shapes", done, total }));
  return Promise.resolve({ meshes: packFolder(files) });
});
