/**
 * The demo's dataset: the synthetic shapes of a pipeline's `dataset.synthetic_shapes@1` stage
 * (the same generator, `syntheticMeshes`, with that stage's resolved params) written as OFF files
 * in the ModelNet layout `<class>/{train,test}/*.off`, then pushed into the bucket under
 * `datasets/<name>/` by `pushFolder`, the code behind `deno task cgml dataset push`.
 *
 * @module
 */

import { join } from "node:path";
import { datasetPrefix, listObjects, type ObjectStore } from "../infra/mod.ts";
import { type Plan, syntheticShapes } from "../pipelines/mod.ts";
import {
  pushFolder,
  type PushProgress,
  type PushReport,
  syntheticMeshes,
  type SyntheticMeshOptions,
} from "./data/mod.ts";

/** What {@link writeShapes} wrote. */
export interface WrittenShapes {
  /** OFF files written. */
  files: number;
  /** Their bytes. */
  bytes: number;
}

/** What {@link pushShapes} did: the push, and the stale objects it removed. */
export interface PushedShapes extends PushReport {
  /** Objects under the prefix that the folder does not hold, deleted. */
  removed: number;
}

/**
 * The generator settings of the plan's `dataset.synthetic_shapes@1` stage (classes, shapes per
 * split, seed, noise, anisotropy, part dropping, defaults applied); throws when it has none.
 */
export function shapeOptions(plan: Plan): SyntheticMeshOptions {
  const id = `${syntheticShapes.name}@${syntheticShapes.version}`;
  const stage = plan.stages.find((s) => s.uses === id);
  if (stage === undefined) {
    throw new Error(`Cannot run the demo with ${plan.name}: it has no ${id} stage to draw from`);
  }
  const p = stage.params as {
    classes: number;
    train_per_class: number;
    test_per_class: number;
    seed: number;
    noise: number;
    anisotropy: number;
    drop_parts: number;
  };
  return {
    classes: p.classes,
    trainPerClass: p.train_per_class,
    testPerClass: p.test_per_class,
    seed: p.seed,
    noise: p.noise,
    anisotropy: p.anisotropy,
    dropParts: p.drop_parts,
  };
}

/** Writes the synthetic shapes into `folder` (emptied first) as OFF files, ModelNet layout. */
export async function writeShapes(
  folder: string,
  options: SyntheticMeshOptions,
): Promise<WrittenShapes> {
  await Deno.remove(folder, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  const encoder = new TextEncoder();
  let bytes = 0;
  const meshes = syntheticMeshes(options);
  for (const [path, text] of meshes) {
    const file = join(folder, path);
    await Deno.mkdir(join(file, ".."), { recursive: true });
    const data = encoder.encode(text);
    await Deno.writeFile(file, data);
    bytes += data.length;
  }
  return { files: meshes.size, bytes };
}

/**
 * Pushes `folder` to `datasets/<name>/` (unchanged objects are skipped, so a rerun uploads
 * nothing) and deletes the objects under that prefix the folder does not hold, so the dataset
 * is exactly the folder.
 */
export async function pushShapes(
  store: ObjectStore,
  folder: string,
  name: string,
  onProgress?: (p: PushProgress) => void,
): Promise<PushedShapes> {
  const report = await pushFolder(store, folder, name, { onProgress });
  let removed = 0;
  if (report.extra > 0) {
    const prefix = datasetPrefix(name);
    for (const object of await listObjects(store, prefix)) {
      const path = join(folder, object.key.slice(prefix.length));
      if (await isFile(path)) continue;
      await store.delete(object.key);
      removed++;
    }
  }
  return { ...report, removed };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
