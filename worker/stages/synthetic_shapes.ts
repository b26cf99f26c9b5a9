/**
 * `dataset.synthetic_shapes@1`: a ModelNet-layout folder (`<class>/{train,test}/<class>_NNNN.off`)
 * of parametric objects from {@link SHAPE_CLASSES}, packed as one artifact.
 * @module
 */
import type { StageParams, syntheticShapes } from "../../pipelines/mod.ts";
import { Rng } from "../lib/mod.ts";
import { packFolder } from "./artifacts.ts";
import { buildShape, formatOff, SHAPE_CLASSES } from "./shapes.ts";
import { paramsOf, type StageImpl } from "./types.ts";

/** Writes the synthetic mesh folder. */
export const run: StageImpl = (ctx) => {
  const p = paramsOf<StageParams<typeof syntheticShapes>>(ctx);
  if (p.classes > SHAPE_CLASSES.length) {
    throw new RangeError(
      `Cannot generate ${p.classes} classes: the generator has ${SHAPE_CLASSES.length}`,
    );
  }
  const variation = { noise: p.noise, anisotropy: p.anisotropy, dropParts: p.drop_parts };
  const files = new Map<string, string>();
  const total = p.classes * (p.train_per_class + p.test_per_class);
  for (let c = 0; c < p.classes; c++) {
    const { name } = SHAPE_CLASSES[c];
    const rng = new Rng((p.seed * 1_000_003 + c * 7919 + 1) >>> 0);
    const write = (split: string, count: number, first: number) => {
      for (let i = 0; i < count; i++) {
        const id = String(first + i + 1).padStart(4, "0");
        files.set(`${name}/${split}/${name}_${id}.off`, formatOff(buildShape(c, rng, variation)));
      }
    };
    write("train", p.train_per_class, 0);
    write("test", p.test_per_class, p.train_per_class);
    ctx.progress({ unit: "shapes", done: files.size, total });
  }
  return Promise.resolve({ meshes: packFolder(files) });
};
