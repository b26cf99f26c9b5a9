/**
 * One entry point for "an object was written": {@link submitObjectEvent}. The bucket webhook
 * calls it for each object-created record, the worker's reconcile scan for each listed key
 * (`inbox/` and the trigger index's {@link TriggerIndex.prefixes}); both paths deduplicate on
 * the queue's idempotency key, so an object seen twice, or by both, starts its jobs once.
 *
 * - `inbox/….yaml`: a job request ({@link submitInboxObject}).
 * - `pipelines/<name>.yaml`: a stored pipeline changed; the trigger index is reloaded on next use.
 * - Anything else: the triggers of the stored pipelines ({@link submitTriggeredObject}).
 *
 * @module
 */

import type { ObjectStore, Queue } from "../infra/mod.ts";
import { isNotFound } from "./cache.ts";
import { type InboxOutcome, isInboxRequest, submitInboxObject } from "./inbox.ts";
import { type PipelineSource, prepareJob } from "./jobs.ts";
import type { TriggerIndexCache } from "./trigger_index.ts";
import { isReservedKey } from "./triggers.ts";
import {
  keyProblem,
  matchesAnyTrigger,
  matchObject,
  normalizeEtag,
  storedPipelineName,
  type TriggeredJob,
  triggerRejectionKey,
} from "./trigger_match.ts";

/** What {@link submitObjectEvent} needs: one {@link TriggerIndexCache} per process. */
export interface ObjectEventDeps extends PipelineSource {
  queue: Queue;
  /** The bucket served (events of other buckets are the caller's to drop). */
  bucket: string;
  triggers: TriggerIndexCache;
}

/** What became of one triggered job. */
export type TriggeredJobOutcome =
  & { pipeline: string }
  & ({ kind: "enqueued"; id: string; created: boolean } | { kind: "rejected"; error: string });

/** Outcome of {@link submitTriggeredObject}. */
export type TriggerOutcome =
  | { kind: "triggered"; jobs: TriggeredJobOutcome[] }
  | { kind: "refused"; reason: string }
  | { kind: "gone" }
  | { kind: "ignored"; reason: string };

/** Outcome of {@link submitObjectEvent}. */
export type ObjectEventOutcome = InboxOutcome | TriggerOutcome;

/**
 * Handles one object-created event or one listed key. `etag` (from the event; quoted or not)
 * must match the stored object, otherwise a newer version exists and is handled by its own
 * event or scan ("ignored").
 */
export function submitObjectEvent(
  deps: ObjectEventDeps,
  key: string,
  etag?: string,
): Promise<ObjectEventOutcome> {
  const clean = etag === undefined ? undefined : normalizeEtag(etag);
  if (isInboxRequest(key)) return submitInboxObject(deps, key, clean);
  if (storedPipelineName(key) !== undefined) {
    deps.triggers.invalidate();
    return Promise.resolve({ kind: "ignored", reason: "a stored pipeline; triggers reloaded" });
  }
  return submitTriggeredObject(deps, key, clean);
}

/**
 * Starts the pipelines whose triggers match object `key`: one job per pipeline and object
 * version. A job that cannot start (its params do not fit, the pipeline no longer validates)
 * leaves a note at `triggers-rejected/<pipeline>/<key>.json`.
 */
export async function submitTriggeredObject(
  deps: ObjectEventDeps,
  key: string,
  etag?: string,
): Promise<TriggerOutcome> {
  const problem = keyProblem(key);
  if (problem !== undefined) {
    const shown = JSON.stringify(key.slice(0, 200));
    return { kind: "refused", reason: `Cannot start a pipeline from key ${shown}: ${problem}` };
  }
  if (isReservedKey(key)) return { kind: "ignored", reason: "written by the service itself" };
  const index = await deps.triggers.current(deps.store);
  if (!matchesAnyTrigger(index, key)) return { kind: "ignored", reason: "no trigger matches" };
  let current: string;
  try {
    current = (await deps.store.head(key)).etag;
  } catch (e) {
    if (isNotFound(e)) return { kind: "gone" };
    throw e;
  }
  if (etag !== undefined && normalizeEtag(etag) !== current) {
    return { kind: "ignored", reason: "a newer version of the object exists" };
  }
  const match = matchObject(index, { bucket: deps.bucket, key, etag: current });
  if (match.kind === "refused") return match;
  const jobs: TriggeredJobOutcome[] = [];
  for (const job of match.jobs) jobs.push(await startJob(deps, job, current));
  return { kind: "triggered", jobs };
}

async function startJob(
  deps: ObjectEventDeps,
  job: TriggeredJob,
  etag: string,
): Promise<TriggeredJobOutcome> {
  const prepared = await prepareJob(deps, job.request);
  if (!prepared.ok) {
    const error = `Cannot start pipeline "${job.pipeline}" from ${job.source}: ` +
      `${prepared.error.replace(/^Cannot submit the job: /, "")}`;
    await note(deps.store, job, etag, error);
    return { pipeline: job.pipeline, kind: "rejected", error };
  }
  const { id, created } = await deps.queue.enqueue(prepared.payload, {
    idempotencyKey: job.idempotencyKey,
    source: job.source,
  });
  return { pipeline: job.pipeline, kind: "enqueued", id, created };
}

async function note(store: ObjectStore, job: TriggeredJob, etag: string, error: string) {
  const body = {
    key: job.source,
    etag,
    pipeline: job.pipeline,
    trigger: job.trigger,
    pattern: job.pattern,
    params: job.request.params,
    error,
    at: new Date().toISOString(),
  };
  await store.put(triggerRejectionKey(job.pipeline, job.source), JSON.stringify(body, null, 2), {
    contentType: "application/json",
  });
}
