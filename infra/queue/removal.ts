/**
 * Removing a finished job: its record, state, pending marker and every object under its
 * `jobs/<id>/` prefix (artifacts, logs), so it no longer appears anywhere.
 *
 * Only a final job can be removed: a queued or running one must be cancelled first. A job that
 * was cancelled after a worker had claimed it is removable once one lease period has passed since
 * the cancel, because that worker only learns of the cancel at its next heartbeat and may write
 * artifacts until then.
 *
 * The idempotency key of a removed job stays spent: its create-once object is rewritten as a
 * tombstone (`deletedAt`) before anything is deleted, so a retried enqueue with that key — an API
 * retry, or the inbox scan seeing the same object version again — neither recreates the job nor
 * starts a new one (see `Queue.enqueue`). Objects are deleted artifacts first and the job record
 * before its state, so a crash part-way leaves a job that is still listed and can be removed again,
 * never a record without its state (which would read as `queued`).
 *
 * @module
 */

import { NotFoundError } from "../store/errors.ts";
import { jobPrefix, type QueueLayout } from "./layout.ts";
import { isFinal, JOB_ID_PATTERN, type JobStatusName, parseRecord } from "./records.ts";
import { z } from "zod";

/** What `Queue.remove` did. */
export type RemoveOutcome =
  /** The job and its `objects` artifacts are gone. */
  | { kind: "removed"; objects: number }
  /** There is no such job. */
  | { kind: "missing" }
  /** The job is queued or running: cancel it first. */
  | { kind: "active"; status: JobStatusName }
  /** Cancelled while a worker held it; removable after `retryAfterMs`. */
  | { kind: "stopping"; retryAfterMs: number };

/** The create-once object mapping an idempotency key to its job; `deletedAt` once removed. */
export const IdempotencySchema = z.object({
  id: z.string().regex(JOB_ID_PATTERN),
  idempotencyKey: z.string().optional(),
  deletedAt: z.string().optional(),
});

/** Removes job `id` when it is final (see the module doc); `now` is the clock in ms. */
export async function removeJob(
  layout: QueueLayout,
  id: string,
  defaultLeaseMs: number,
  now: () => number = Date.now,
): Promise<RemoveOutcome> {
  if (!JOB_ID_PATTERN.test(id)) return { kind: "missing" };
  const [job, current] = await Promise.all([layout.readJob(id), layout.readState(id)]);
  if (!job) return { kind: "missing" };
  const state = current?.state;
  if (!state || !isFinal(state.status)) {
    return { kind: "active", status: state?.status ?? "queued" };
  }
  if (state.status === "cancelled" && state.owner !== undefined) {
    const until = Date.parse(state.updatedAt) + (state.leaseMs ?? defaultLeaseMs);
    if (until > now()) return { kind: "stopping", retryAfterMs: until - now() };
  }
  const { store } = layout;
  if (job.idempotencyKey !== undefined) {
    const key = await layout.idempotency(job.idempotencyKey);
    const marker = await readMarker(layout, key);
    if (marker === null || (marker.id === id && marker.deletedAt === undefined)) {
      const tombstone = {
        id,
        idempotencyKey: job.idempotencyKey,
        deletedAt: new Date(now()).toISOString(),
      };
      await store.put(key, JSON.stringify(tombstone), { contentType: "application/json" });
    }
  }
  let objects = 0;
  for (;;) {
    // Deleting as we go: each listing starts from the beginning of what is left.
    const page = await store.list(jobPrefix(id), { limit: 1000 });
    for (const item of page.items) await store.delete(item.key);
    objects += page.items.length;
    if (page.items.length === 0 || page.next === undefined) break;
  }
  await store.delete(layout.pending(id));
  await store.delete(layout.job(id));
  await store.delete(layout.state(id));
  return { kind: "removed", objects };
}

async function readMarker(
  layout: QueueLayout,
  key: string,
): Promise<z.infer<typeof IdempotencySchema> | null> {
  try {
    const obj = await layout.store.get(key);
    return parseRecord(IdempotencySchema, obj.body, key);
  } catch (e) {
    if (e instanceof NotFoundError) return null;
    throw e;
  }
}
