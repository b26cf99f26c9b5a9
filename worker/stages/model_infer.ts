/**
 * `model.infer@1`: Eq. 4 inference of a published model (`readInferenceInputs`,
 * `runInference`) with its artifacts (`inferenceArtifacts`): predictions.csv, samples,
 * modes.json, the HTML report and the reconstructions.
 * @module
 */
import { MODEL_FILES, type VersionRecord } from "../../infra/mod.ts";
import { modelInfer } from "../../pipelines/mod.ts";
import { PublishedModel, readInferenceInputs, runInference } from "../models/mod.ts";
import { inferenceArtifacts } from "../report/mod.ts";
import { decodeJson, packFiles, unpackFiles } from "./formats/mod.ts";
import { implement } from "./stage.ts";

/** Runs the inference. */
export default implement(modelInfer, async (ctx, p) => {
  const files = unpackFiles(await ctx.input("model"));
  const record = decodeJson<VersionRecord>(files.get(MODEL_FILES.record)!);
  const gpu = await ctx.gpu();
  const model = PublishedModel.load(gpu, files);
  try {
    const c = model.config;
    const inputs = await readInferenceInputs(c, p, ctx.env, p.seed);
    ctx.env.log(`${ctx.id}: ${inputs.names.length} inputs × k = ${p.k}\n`);
    const result = await runInference(gpu, model, inputs, { ...p, progress: ctx.progress });
    const a = inferenceArtifacts(result, {
      title: `Inference: ${record.name}@${record.version}`,
      show: p.show,
      about: [
        `Model ${record.name}@${record.version}: ${c.kind} model (${c.method}), published ` +
        `${record.created} by run ${record.source.run} of pipeline ${record.source.pipeline}.`,
        `Inputs: ${p.dataset === "" ? "inline" : p.dataset}${
          p.split ? ` (split ${p.split})` : ""
        }.`,
      ],
      maps: model.mapStats,
    });
    return {
      predictions: a.predictions,
      samples: a.samples,
      modes: a.modes,
      report: a.report,
      reconstructions: packFiles(a.reconstructions),
    };
  } finally {
    model.dispose();
  }
});
