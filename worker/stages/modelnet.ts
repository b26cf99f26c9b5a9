/**
 * `dataset.modelnet@1`: reads `<root>/<class>/{train,test}/*.off` (or a packed mesh folder),
 * samples area-weighted surface points and normalises each cloud (centroid at the origin,
 * largest radius 0.95).
 * @module
 */
import { join } from "node:path";
import type { modelnet, StageParams } from "../../pipelines/mod.ts";
import {
  applyNormalization,
  parseOff,
  pointNormalization,
  sampleSurface,
} from "../spectral/mod.ts";
import { pack, unpackFolder } from "./artifacts.ts";
import { paramsOf, type StageImpl } from "./types.ts";

/** Metadata of a shape set. */
export interface ShapeSetMeta {
  classes: string[];
  ids: string[];
  points: number;
}

/** Split codes of shape, map and feature sets. */
export const SPLITS = ["train", "test"] as const;

/** Mesh files of a ModelNet-layout folder on disk, by relative path (read lazily). */
async function listFolder(root: string): Promise<Map<string, () => Promise<string>>> {
  const out = new Map<string, () => Promise<string>>();
  for await (const cls of Deno.readDir(root)) {
    if (!cls.isDirectory) continue;
    for (const split of SPLITS) {
      const dir = join(root, cls.name, split);
      try {
        for await (const f of Deno.readDir(dir)) {
          if (f.isFile && f.name.toLowerCase().endsWith(".off")) {
            out.set(`${cls.name}/${split}/${f.name}`, () => Deno.readTextFile(join(dir, f.name)));
          }
        }
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
    }
  }
  if (out.size === 0) {
    throw new Error(`Cannot read a dataset at "${root}": no <class>/{train,test}/*.off files`);
  }
  return out;
}

/** Reads and samples the dataset. */
export const run: StageImpl = async (ctx) => {
  const p = paramsOf<StageParams<typeof modelnet>>(ctx);
  let files: Map<string, () => Promise<string>>;
  if (p.root !== "") {
    files = await listFolder(p.root);
  } else {
    const packed = unpackFolder(await ctx.input("meshes"));
    files = new Map([...packed].map(([k, v]) => [k, () => Promise.resolve(v)]));
  }
  const byClass = new Map<string, { path: string; split: number }[]>();
  for (const path of [...files.keys()].sort()) {
    const [cls, split] = path.split("/");
    if (p.classes.length > 0 && !p.classes.includes(cls)) continue;
    const list = byClass.get(cls) ?? [];
    list.push({ path, split: split === "train" ? 0 : 1 });
    byClass.set(cls, list);
  }
  const classes = [...byClass.keys()].sort();
  const chosen: { path: string; split: number; label: number }[] = [];
  classes.forEach((cls, label) => {
    let train = 0;
    for (const f of byClass.get(cls)!) {
      if (f.split === 0 && p.max_per_class > 0 && ++train > p.max_per_class) continue;
      chosen.push({ ...f, label });
    }
  });
  const M = p.points;
  const points = new Float32Array(chosen.length * M * 3);
  const labels = new Int32Array(chosen.length);
  const split = new Int32Array(chosen.length);
  for (let i = 0; i < chosen.length; i++) {
    const f = chosen[i];
    const shape = parseOff(f.path, await files.get(f.path)!());
    const raw = sampleSurface(shape, M, p.seed * 100_003 + i);
    points.set(applyNormalization(raw, pointNormalization(raw)), i * M * 3);
    labels[i] = f.label;
    split[i] = f.split;
    if (i % 50 === 49 || i === chosen.length - 1) {
      ctx.progress({ unit: "shapes", done: i + 1, total: chosen.length });
    }
  }
  const meta: ShapeSetMeta = {
    classes,
    ids: chosen.map((f) => f.path.replace(/\.off$/i, "")),
    points: M,
  };
  return {
    shapes: pack(meta, { points, labels, split }, { points: [chosen.length, M, 3] }),
  };
};
