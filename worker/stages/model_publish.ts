/**
 * `model.publish@1`: the trained model, its probe and metrics as the next version of
 * `models/<name>/` (`publishedFiles` + `publishModel`). Never cached: it runs on every run, so a
 * rerun restored from the cache still publishes when no version holds these files (a new name,
 * or deleted versions), and publishes nothing when one does. An empty name publishes nothing.
 * @module
 */
import { publishModel } from "../../infra/mod.ts";
import { modelPublish } from "../../pipelines/mod.ts";
import { publishedFiles } from "../models/mod.ts";
import { decodeJson, encodeJson } from "./formats/mod.ts";
import { implement } from "./stage.ts";

/** Publishes the model (or nothing). */
export default implement(modelPublish, async (ctx, p) => {
  if (p.name === "") {
    return { release: encodeJson({ published: false, reason: "no name: publish is empty" }) };
  }
  const has = (name: string) => ctx.inputs.includes(name);
  const json = async (name: string) => has(name) ? decodeJson(await ctx.input(name)) : undefined;
  const { files, config } = publishedFiles({
    model: await ctx.input("model"),
    probe: has("probe") ? await ctx.input("probe") : undefined,
    metrics: await json("metrics"),
    probeMetrics: await json("probe_metrics"),
    inference: { k: p.k, steps: p.steps, momentum: p.momentum },
    pool: p.pool,
  });
  const { run, store } = ctx.env;
  const job = run.id.startsWith("job_") ? { job: run.id.slice(4) } : {};
  const { record, created } = await publishModel(store, {
    name: p.name,
    files,
    kind: config.kind,
    method: config.method,
    source: { pipeline: run.pipeline, run: run.id, stage: ctx.id, ...job },
  });
  ctx.env.log(
    `${ctx.id}: ${created ? "published" : "already published (same files) as"} ` +
      `${record.name}@${record.version}\n`,
  );
  return {
    release: encodeJson({
      published: true,
      created,
      name: record.name,
      version: record.version,
      content: record.content,
    }),
  };
});
