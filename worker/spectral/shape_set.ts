/**
 * Shape sets: meshes of a ModelNet-layout folder (`<class>/{train,test}/*.off`, on disk, in
 * memory or downloaded from a bucket dataset) sampled into area-weighted surface point clouds
 * (point lists are resampled), each normalised (centroid at the origin, largest radius 0.95),
 * with a class label and a split per shape.
 * @module
 */
import { join } from "node:path";
import { parseShape, SHAPE_EXTENSIONS } from "./io/read.ts";
import { applyNormalization, pointNormalization } from "./normalize.ts";
import { shapePoints } from "./sample.ts";

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

/** One shape file, read lazily. */
export interface MeshFile {
  /** What errors name: the file's path on disk or its object key. */
  source: string;
  /** The file's bytes. */
  read(): Promise<Uint8Array>;
}

/**
 * Shape files by relative path `<class>/<split>/<name>.<ext>` (any extension of
 * `SHAPE_EXTENSIONS`: meshes or point lists).
 */
export type MeshFiles = ReadonlyMap<string, MeshFile>;

/** Shape files of a ModelNet-layout folder on disk (`<class>/{train,test}/*.off`, or OBJ, PLY, point lists). */
export async function listModelNet(root: string): Promise<MeshFiles> {
  const out = new Map<string, MeshFile>();
  for await (const cls of Deno.readDir(root)) {
    if (!cls.isDirectory) continue;
    for (const split of SPLITS) {
      const dir = join(root, cls.name, split);
      try {
        for await (const f of Deno.readDir(dir)) {
          if (f.isFile && stem(f.name) !== f.name) {
            const path = join(dir, f.name);
            out.set(`${cls.name}/${split}/${f.name}`, {
              source: path,
              read: () => Deno.readFile(path),
            });
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

/** A labelled file on local disk: an object of a bucket dataset after download. */
export interface LabelledFile {
  /** Path in the dataset (relative to its prefix). */
  path: string;
  /** What errors name (the object key). */
  source: string;
  class: string | null;
  split: string | null;
  /** The local file holding its bytes. */
  file: string;
}

/**
 * The shape files among `files` (by extension: meshes and point lists; other objects are left
 * out), keyed `<class>/<split>/…` by their labels (a path already in that layout keeps it). A
 * shape file without a class, or with a split other than train or test, throws naming it.
 */
export function labelledShapeFiles(files: readonly LabelledFile[]): MeshFiles {
  const out = new Map<string, MeshFile>();
  for (const f of files) {
    if (stem(f.path) === f.path) continue;
    if (f.class === null || (f.split !== "train" && f.split !== "test")) {
      throw new Error(
        `Cannot use ${f.source} as a shape: it has ${
          f.class === null ? "no class" : "no train or test split"
        } (put it under <class>/{train,test}/ or label it in manifest.json)`,
      );
    }
    const head = `${f.class}/${f.split}/`;
    const id = f.path.startsWith(head) ? f.path : head + f.path;
    if (out.has(id)) {
      throw new Error(`Cannot use ${f.source} as a shape: another object has the id ${id}`);
    }
    out.set(id, { source: f.source, read: () => Deno.readFile(f.file) });
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
  /**
   * Require labels a classifier can learn from: at least two classes, each with train and test
   * shapes; otherwise throw before anything is read, naming `dataset`.
   */
  labelled?: { dataset: string };
}

/** The meshes of `files`, in path order, sampled into a shape set. */
export async function sampleShapeSet(files: MeshFiles, o: ShapeSetOptions): Promise<ShapeSet> {
  const { classes, chosen } = chooseMeshes(files, o);
  if (o.labelled !== undefined) checkLabelled(o.labelled.dataset, classes, chosen);
  const M = o.points;
  const points = new Float32Array(chosen.length * M * 3);
  const labels = new Int32Array(chosen.length);
  const split = new Int32Array(chosen.length);
  for (let i = 0; i < chosen.length; i++) {
    const f = chosen[i];
    const file = files.get(f.path)!;
    const raw = shapePoints(parseShape(file.source, await file.read()), M, o.seed * 100_003 + i);
    points.set(applyNormalization(raw, pointNormalization(raw)), i * M * 3);
    labels[i] = f.label;
    split[i] = f.split;
    if (i % 50 === 49 || i === chosen.length - 1) o.onProgress?.(i + 1, chosen.length);
  }
  const meta: ShapeSetMeta = {
    classes,
    ids: chosen.map((f) => stem(f.path)),
    points: M,
  };
  return { meta, points, labels, split };
}

/** The path without its shape extension (`chair/train/c1.off` → `chair/train/c1`). */
function stem(path: string): string {
  const lower = path.toLowerCase();
  const ext = SHAPE_EXTENSIONS.find((e) => lower.endsWith(e));
  return ext === undefined ? path : path.slice(0, -ext.length);
}

/** Throws unless there are two classes or more, each with train and test shapes. */
function checkLabelled(dataset: string, classes: readonly string[], chosen: ChosenMesh[]): void {
  if (classes.length === 0) {
    throw new Error(
      `Cannot use the dataset ${dataset}: it holds no shapes (${
        SHAPE_EXTENSIONS.join(", ")
      } files under <class>/{train,test}/)`,
    );
  }
  if (classes.length < 2) {
    throw new Error(
      `Cannot use the dataset ${dataset}: it has one class ("${classes[0]}"); a classifier ` +
        "needs at least two",
    );
  }
  for (const [label, cls] of classes.entries()) {
    for (const [code, split] of SPLITS.entries()) {
      if (!chosen.some((f) => f.label === label && f.split === code)) {
        throw new Error(`Cannot use the dataset ${dataset}: class "${cls}" has no ${split} shapes`);
      }
    }
  }
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
