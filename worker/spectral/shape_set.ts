/**
 * Shape sets: meshes of a ModelNet-layout folder (`<class>/{train,test}/*.off`, on disk or as
 * files in memory) sampled into area-weighted surface point clouds, each normalised (centroid
 * at the origin, largest radius 0.95), with a class label and a split per shape.
 * @module
 */
import { join } from "node:path";
import { parseOff } from "./io/off.ts";
import { applyNormalization, pointNormalization } from "./normalize.ts";
import { sampleSurface } from "./sample.ts";

/** Split codes of shape, map and feature sets: 0 = train, 1 = test. */
export const SPLITS = ["train", "test"] as const;

/** Metadata of a shape set. */
export interface ShapeSetMeta {
  classes: string[];
  /** `<class>/<split>/<file stem>` per shape. */
  ids: string[];
  /** Points per cloud. */
  points: number;
}

/** Point clouds with labels and a split. */
export interface ShapeSet {
  meta: ShapeSetMeta;
  /** [n, points, 3]. */
  points: Float32Array;
  labels: Int32Array;
  split: Int32Array;
}

/** Mesh files by relative path (`<class>/<split>/<name>.off`), read lazily. */
export type MeshFiles = ReadonlyMap<string, () => Promise<string>>;

/** Mesh files of a ModelNet-layout folder on disk. */
export async function listModelNet(root: string): Promise<MeshFiles> {
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

/** Settings of {@link sampleShapeSet}. */
export interface ShapeSetOptions {
  /** Classes kept; empty = all. */
  classes: readonly string[];
  /** Train shapes kept per class (in path order); 0 = all. */
  maxPerClass: number;
  /** Points sampled per mesh. */
  points: number;
  seed: number;
  /** Hears the shapes sampled so far (every 50 and at the end). */
  onProgress?: (done: number, total: number) => void;
}

/** The meshes of `files`, in path order, sampled into a shape set. */
export async function sampleShapeSet(files: MeshFiles, o: ShapeSetOptions): Promise<ShapeSet> {
  const { classes, chosen } = chooseMeshes(files, o);
  const M = o.points;
  const points = new Float32Array(chosen.length * M * 3);
  const labels = new Int32Array(chosen.length);
  const split = new Int32Array(chosen.length);
  for (let i = 0; i < chosen.length; i++) {
    const f = chosen[i];
    const shape = parseOff(f.path, await files.get(f.path)!());
    const raw = sampleSurface(shape, M, o.seed * 100_003 + i);
    points.set(applyNormalization(raw, pointNormalization(raw)), i * M * 3);
    labels[i] = f.label;
    split[i] = f.split;
    if (i % 50 === 49 || i === chosen.length - 1) o.onProgress?.(i + 1, chosen.length);
  }
  const meta: ShapeSetMeta = {
    classes,
    ids: chosen.map((f) => f.path.replace(/\.off$/i, "")),
    points: M,
  };
  return { meta, points, labels, split };
}

interface ChosenMesh {
  path: string;
  split: number;
  label: number;
}

/** The sorted classes kept and their meshes, each class's train meshes capped. */
function chooseMeshes(
  files: MeshFiles,
  o: ShapeSetOptions,
): { classes: string[]; chosen: ChosenMesh[] } {
  const byClass = new Map<string, { path: string; split: number }[]>();
  for (const path of [...files.keys()].sort()) {
    const [cls, split] = path.split("/");
    if (o.classes.length > 0 && !o.classes.includes(cls)) continue;
    const list = byClass.get(cls) ?? [];
    list.push({ path, split: split === "train" ? 0 : 1 });
    byClass.set(cls, list);
  }
  const classes = [...byClass.keys()].sort();
  const chosen: ChosenMesh[] = [];
  classes.forEach((cls, label) => {
    let train = 0;
    for (const f of byClass.get(cls)!) {
      if (f.split === 0 && o.maxPerClass > 0 && ++train > o.maxPerClass) continue;
      chosen.push({ ...f, label });
    }
  });
  return { classes, chosen };
}
