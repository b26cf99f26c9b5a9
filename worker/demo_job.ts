/**
 * The demo's training job: params from `--set a.b=v` overrides, with the dataset root set to the
 * shapes the demo pushes and `publish` defaulting to `shapes`, checked against the pipeline (the
 * stored or shipped one, as the functions will) before anything starts.
 *
 * @module
 */

import { parse as parseYaml } from "yaml";
import type { ObjectStore } from "../infra/mod.ts";
import { checkPipeline, loadPipelineText, type Plan } from "../pipelines/mod.ts";

/** The bucket of the embedded store. */
export const BUCKET = "cgml";
/** The dataset the demo pushes (`datasets/<DATASET>/`) and the default model name. */
export const DATASET = "shapes";

/**
 * The demo's own settings per pipeline, ahead of `--set` (which wins): `modelnet-zernike` trains
 * 6 epochs instead of 15 and picks the probe's penalty on one validation split instead of 5
 * folds, so that the whole demo fits 15 minutes on the 2-core CPU adapter (the pipeline's
 * defaults take about twice as long there).
 */
export const DEMO_SETS: Readonly<Record<string, readonly string[]>> = {
  "modelnet-zernike": ["backbone.epochs=6", "probe.rounds=1"],
};

/** The demo's job: its params, the checked plan and the model it publishes. */
export interface DemoJob {
  params: Record<string, unknown>;
  plan: Plan;
  model: string;
}

/** Nested params from `a.b=v` overrides; throws on a malformed one. */
export function paramsFromSets(sets: readonly string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const set of sets) {
    const eq = set.indexOf("=");
    if (eq <= 0) throw new Error(`Cannot read --set ${set}: expected name.path=value`);
    const path = set.slice(0, eq).split(".");
    let node = params;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      node = (node[key] = typeof next === "object" && next !== null ? next : {}) as Record<
        string,
        unknown
      >;
    }
    const raw = set.slice(eq + 1);
    node[path.at(-1)!] = raw === "" ? "" : parseYaml(raw);
  }
  return params;
}

/**
 * The demo's job for `pipeline` with `sets` (`dataset.root` is the demo's: setting it is an
 * error), or why it cannot run: a bad override, no such pipeline, params it refuses.
 */
export async function prepareJob(
  store: ObjectStore,
  pipeline: string,
  sets: readonly string[],
): Promise<DemoJob | { error: string }> {
  const root = `s3://${BUCKET}/datasets/${DATASET}/`;
  if (sets.some((set) => set.startsWith("dataset.root="))) {
    return {
      error: `Cannot use --set dataset.root: the demo trains on the shapes it pushes to ${root}`,
    };
  }
  const params = paramsFromSets([
    `publish=${DATASET}`,
    ...DEMO_SETS[pipeline] ?? [],
    ...sets,
    `dataset.root=${root}`,
  ]);
  const model = params.publish;
  if (typeof model !== "string" || model === "") {
    return {
      error: "Cannot run the demo without a model name: set publish=<name> (default shapes)",
    };
  }
  const text = await loadPipelineText({ store }, pipeline);
  if (text === null) return { error: `Cannot run the demo: there is no pipeline ${pipeline}` };
  const checked = checkPipeline(`${pipeline}.yaml`, text, params);
  if ("error" in checked) return { error: `Cannot run the demo:\n${checked.error}` };
  return { params, plan: checked.plan, model };
}
