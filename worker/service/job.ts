/**
 * From a claimed queue job to a plan: the stored {@link JobPayload} is checked and compiled
 * again (the pipeline language may have moved on since submission; a payload that no longer
 * compiles fails the job for good, with the compiler's message).
 *
 * @module
 */

import { z } from "zod";
import type { ObjectStore } from "../../infra/mod.ts";
import type { JobProgress } from "../../infra/mod.ts";
import type { Plan } from "../../pipelines/mod.ts";
import { checkPipeline } from "../../pipelines/mod.ts";

/** What a pipeline runner gets for one job. */
export interface RunRequest {
  /** The compiled plan. */
  plan: Plan;
  /** The object store (stage cache, artifacts). */
  store: ObjectStore;
  /** The job id. */
  jobId: string;
  /** Where the job's artifacts go: `jobs/<id>/`. */
  prefix: string;
  /** Aborts on cancel, lease loss or shutdown: stop between steps, checkpointing. */
  signal: AbortSignal;
  /** Reports progress; the worker writes it into the job's status, throttled. */
  progress(p: JobProgress): void;
}

/** Runs one plan; resolves the job's result (kept in its status). */
export type PipelineRunner = (request: RunRequest) => Promise<unknown>;

/** A job that cannot run as submitted: retrying cannot help. */
export class InvalidJobError extends Error {
  override name = "InvalidJobError";
}

const Payload = z.object({
  pipeline: z.string().min(1),
  text: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
});

/** Compiles a job's payload; throws {@link InvalidJobError}. */
export function planJob(id: string, payload: unknown): Plan {
  const parsed = Payload.safeParse(payload);
  if (!parsed.success) {
    throw new InvalidJobError(`Cannot run job ${id}: its payload is not a pipeline job`);
  }
  const { pipeline, text, params } = parsed.data;
  const checked = checkPipeline(`${pipeline}.yaml`, text, params);
  if ("error" in checked) {
    throw new InvalidJobError(
      `Cannot run job ${id}: pipeline "${pipeline}" is invalid\n${checked.error}`,
    );
  }
  return checked.plan;
}
