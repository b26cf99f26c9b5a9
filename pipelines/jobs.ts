/**
 * Job requests: what a client (HTTP body or an `inbox/*.yaml` file) asks to run, checked down to
 * a compiled plan before anything is enqueued. No Hono here, so the worker's inbox scan shares
 * exactly this logic with the webhook.
 *
 * A request names a stored or shipped pipeline (`pipeline: toy-multimodal`) or carries an inline
 * spec (`pipeline: {version: 1, name: …, stages: …}`), plus `params:` overriding the pipeline's
 * declared params. The enqueued payload is a {@link JobPayload}: the pipeline's text as it was at
 * submission, so a later edit of the stored pipeline never changes a queued job.
 *
 * @module
 */

import { z } from "zod";
import { stringify } from "yaml";
import type { ObjectStore } from "../infra/mod.ts";
import { isNotFound } from "./cache.ts";
import { type Diagnostic, formatDiagnostics } from "./diagnostics.ts";
import type { BucketFingerprint } from "./fingerprint.ts";
import { compilePipeline, type Plan } from "./plan.ts";

/** Pipeline names: lowercase letters, digits, `.`, `_`, `-`; used inside object keys. */
export const PIPELINE_NAME = /^[a-z0-9](?:[a-z0-9_-]|\.(?!\.)){0,63}$/;

/** Prefix of stored pipelines (`pipelines/<name>.yaml`). */
export const PIPELINES_PREFIX = "pipelines/";

/** Largest pipeline text accepted, in bytes. */
export const MAX_PIPELINE_BYTES = 256 * 1024;

/** A job request, from an HTTP body or an inbox file. */
export const JobRequestSchema = z.strictObject({
  pipeline: z.union([
    z.string().regex(PIPELINE_NAME, "must be a pipeline name ([a-z0-9._-], at most 64)"),
    z.record(z.string(), z.unknown()),
  ]),
  params: z.record(z.string(), z.unknown()).optional(),
  idempotencyKey: z.string().min(1).max(512).optional(),
});

/** A job request, from an HTTP body or an inbox file. */
export type JobRequest = z.infer<typeof JobRequestSchema>;

/** What the queue stores for a pipeline job and the worker runs. */
export interface JobPayload {
  /** Pipeline name (the spec's `name` for an inline spec). */
  pipeline: string;
  /** The pipeline file's text at submission. */
  text: string;
  /** Param overrides of the request. */
  params: Record<string, unknown>;
}

/** A checked request, ready to enqueue. */
export interface PreparedJob {
  ok: true;
  payload: JobPayload;
}

/** Why a request cannot run: an HTTP status, a message and the compiler's diagnostics. */
export interface RejectedJob {
  ok: false;
  status: 400 | 413 | 422;
  error: string;
  diagnostics?: Diagnostic[];
}

/** Where pipelines come from: the store first, then the pipelines shipped with the code. */
export interface PipelineSource {
  store: ObjectStore;
  /** Folder of shipped `*.yaml` pipelines (default: the repository's `pipelines/`). */
  builtinDir?: URL;
  /**
   * Checks the bucket datasets a job reads (`dataset.root = s3://…`) at submission with the
   * fingerprint the worker plans with (infra's `datasetRootFingerprint`): another bucket, a
   * prefix outside `datasets/`, a dataset with problems or no data is a 422. Local paths are
   * the worker's to read. Absent: the worker finds such problems when it runs the job.
   */
  bucketFingerprint?: BucketFingerprint;
}

const BUILTIN_DIR = new URL("../pipelines/", import.meta.url);

/** The text of pipeline `name` (stored first, then shipped), or `null` when there is none. */
export async function loadPipelineText(
  source: PipelineSource,
  name: string,
): Promise<string | null> {
  if (!PIPELINE_NAME.test(name)) return null;
  try {
    const obj = await source.store.get(`${PIPELINES_PREFIX}${name}.yaml`);
    return new TextDecoder().decode(obj.body);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  try {
    return await Deno.readTextFile(new URL(`${name}.yaml`, source.builtinDir ?? BUILTIN_DIR));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

type Checked = { plan: Plan } | { error: string; diagnostics: Diagnostic[] };

/** Recent compile results by input (compiling dominates an enqueue); bounded, oldest out. */
const compiled = new Map<string, Checked>();
const COMPILED_MAX = 256;

/**
 * Compiles `text` with `params` as an override file: the plan, or the formatted errors.
 * Results are memoised by input; treat the returned plan as read-only.
 */
export function checkPipeline(
  file: string,
  text: string,
  params: Record<string, unknown> = {},
): Checked {
  const key = JSON.stringify([file, text, params]);
  const hit = compiled.get(key);
  if (hit) return hit;
  const overrides = Object.keys(params).length === 0
    ? []
    : [{ file: "params", text: JSON.stringify({ params }) }];
  const result = compilePipeline({ file, text, overrides });
  const checked: Checked = result.plan !== undefined ? { plan: result.plan } : {
    error: formatDiagnostics(result.errors, result.sources),
    diagnostics: result.errors,
  };
  if (compiled.size >= COMPILED_MAX) compiled.delete(compiled.keys().next().value!);
  compiled.set(key, checked);
  return checked;
}

/** Checks a request (already shaped like {@link JobRequestSchema}) and resolves its pipeline. */
export async function prepareJob(
  source: PipelineSource,
  request: JobRequest,
): Promise<PreparedJob | RejectedJob> {
  const params = request.params ?? {};
  let name: string;
  let text: string;
  if (typeof request.pipeline === "string") {
    name = request.pipeline;
    const loaded = await loadPipelineText(source, name);
    if (loaded === null) {
      return { ok: false, status: 422, error: `Cannot submit the job: unknown pipeline "${name}"` };
    }
    text = loaded;
  } else {
    const inlineName = request.pipeline.name;
    name = typeof inlineName === "string" && PIPELINE_NAME.test(inlineName) ? inlineName : "inline";
    text = stringify(request.pipeline);
    if (new TextEncoder().encode(text).length > MAX_PIPELINE_BYTES) {
      return {
        ok: false,
        status: 413,
        error: `Cannot submit the job: the inline pipeline exceeds ${MAX_PIPELINE_BYTES} bytes`,
      };
    }
  }
  const problem = checkPipeline(`${name}.yaml`, text, params);
  if ("error" in problem) {
    return {
      ok: false,
      status: 422,
      error: `Cannot submit the job: pipeline "${name}" is invalid\n${problem.error}`,
      diagnostics: problem.diagnostics,
    };
  }
  if (source.bucketFingerprint !== undefined) {
    const refused = await datasetProblem(problem.plan, source.bucketFingerprint);
    if (refused !== undefined) {
      return {
        ok: false,
        status: 422,
        error:
          `Cannot submit the job: pipeline "${name}" reads a dataset it cannot use\n${refused}`,
      };
    }
  }
  return { ok: true, payload: { pipeline: name, text, params } };
}

/**
 * The message of the first dataset a stage of `plan` reads that `fingerprint` refuses, or
 * `undefined` when every one is readable (or a local path). Errors other than a dataset's
 * (the store is down) propagate.
 */
async function datasetProblem(
  plan: Plan,
  fingerprint: BucketFingerprint,
): Promise<string | undefined> {
  const seen = new Set<string>();
  for (const stage of plan.stages) {
    for (const param of stage.type.reads ?? []) {
      const value = stage.params[param];
      if (typeof value !== "string" || value === "" || seen.has(value)) continue;
      seen.add(value);
      try {
        await fingerprint(value, `stages.${stage.id}.with.${param}`);
      } catch (e) {
        if (e instanceof Error && e.name === "DatasetError") return e.message;
        throw e;
      }
    }
  }
  return undefined;
}

/** Formats zod issues as one line each: `path: message`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => `${i.path.length ? i.path.join(".") : "body"}: ${i.message}`).join(
    "; ",
  );
}
