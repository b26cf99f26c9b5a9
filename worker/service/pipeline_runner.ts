/**
 * The worker's {@link PipelineRunner} over `worker/runner/`: the job's run id is derived from
 * the job id, so a retried or released job resumes from its stages' checkpoints and cache;
 * the pipeline's outputs are copied to `jobs/<id>/<output>.<ext>` for download (a `files`
 * output, a bundle of files, into the folder `jobs/<id>/<output>/`). The job's
 * progress is the runner's structured {@link RunProgress} (stage, epoch of epochs, loss, ETA,
 * overall fraction) with the latest runner line as its message; the lease writes it, throttled.
 * The job's abort signal stops the run between stages and inside training epochs.
 *
 * @module
 */

import { ARTIFACT_TYPES } from "../../pipelines/mod.ts";
import { type RunDatasets, type RunOptions, runPlan, type RunProgress } from "../runner/mod.ts";
import { unpackFiles } from "../stages/mod.ts";
import type { PipelineRunner } from "./job.ts";

/** Settings of {@link createPipelineRunner}. */
export interface PipelineRunnerOptions {
  /** Local folder for stage checkpoints. */
  workDir: string;
  /** The bucket `s3://` dataset roots are read from and the object cache (see `RunOptions`). */
  datasets?: RunDatasets;
  /** Shared device factory (one GPU for every slot). */
  gpu?: RunOptions["gpu"];
  /** Stage implementations by `name@version` (tests); default: the catalog's. */
  stages?: RunOptions["stages"];
  /** Where runner lines also go (default: nowhere). */
  log?: (line: string) => void;
}

/** A runner that executes plans with `runPlan`. */
export function createPipelineRunner(options: PipelineRunnerOptions): PipelineRunner {
  return async (r) => {
    let latest: RunProgress | undefined;
    let message: string | undefined;
    const publish = () => r.progress({ ...latest, message });
    const result = await runPlan(r.plan, {
      store: r.store,
      workDir: options.workDir,
      datasets: options.datasets,
      resume: `job_${r.jobId}`,
      gpu: options.gpu,
      stages: options.stages,
      signal: r.signal,
      progress: (p) => {
        latest = p;
        publish();
      },
      log: (text) => {
        const line = text.replace(/\r/g, "").trim().split("\n").at(-1);
        if (line !== undefined && line !== "") {
          message = line;
          publish();
        }
        options.log?.(text);
      },
    });
    const outputs: Record<string, string> = {};
    for (const [name, ref] of Object.entries(r.plan.outputs)) {
      const format: string = ARTIFACT_TYPES[ref.type].format;
      const bytes = await result.artifact(ref.stage, ref.output);
      if (format === "files") {
        for (const [path, file] of unpackFiles(bytes)) {
          await r.store.put(`${r.prefix}${name}/${path}`, file);
        }
        outputs[name] = `${name}/`;
        continue;
      }
      const ext = format === "binary" ? "bin" : format;
      const key = `${r.prefix}${name}.${ext}`;
      await r.store.put(key, bytes);
      outputs[name] = key.slice(r.prefix.length);
    }
    return { run: result.id, seconds: result.seconds, outputs };
  };
}
