/**
 * Inbox triggers: an `inbox/<anything>.yaml` object is a job request whose job's `source` is
 * that key. The webhook and the worker's reconcile scan both call {@link submitInboxObject};
 * the queue's idempotency key `s3:<bucket>/<key>#<etag>` makes one job per object version,
 * however many times (and by whichever path) the object is seen.
 *
 * A request that cannot run enqueues nothing; its reason is kept at
 * `inbox-rejected/<key after inbox/>.json` so the user (and the next scan) can see it.
 *
 * @module
 */

import { parseDocument } from "yaml";
import type { ObjectStore, Queue } from "../infra/mod.ts";
import { isNotFound } from "./cache.ts";
import { describeIssues, JobRequestSchema, type PipelineSource, prepareJob } from "./jobs.ts";

/** Prefix whose `.yaml` objects start jobs. */
export const INBOX_PREFIX = "inbox/";

/** Prefix of the rejection notes of inbox objects that could not start a job. */
export const REJECTED_PREFIX = "inbox-rejected/";

/** Largest inbox request read, in bytes. */
export const MAX_INBOX_BYTES = 1024 * 1024;

/** Whether `key` is an inbox job request (`inbox/….yaml` or `.yml`). */
export function isInboxRequest(key: string): boolean {
  return key.startsWith(INBOX_PREFIX) && /\.ya?ml$/.test(key) && key.length > INBOX_PREFIX.length;
}

/** The queue's idempotency key of one version of an inbox object. */
export function inboxIdempotencyKey(bucket: string, key: string, etag: string): string {
  return `s3:${bucket}/${key}#${etag}`;
}

/** Key of the rejection note of an inbox object. */
export function rejectionKey(key: string): string {
  return `${REJECTED_PREFIX}${key.slice(INBOX_PREFIX.length)}.json`;
}

/** What {@link submitInboxObject} needs. */
export interface InboxDeps extends PipelineSource {
  queue: Queue;
  /** Bucket name, part of the deduplication key. */
  bucket: string;
}

/** Outcome of {@link submitInboxObject}. */
export type InboxOutcome =
  | { kind: "enqueued"; id: string; created: boolean }
  | { kind: "rejected"; error: string }
  | { kind: "gone" }
  | { kind: "ignored"; reason: string };

/**
 * Reads the inbox object `key` and enqueues its job once per ETag. `etag` (from the event)
 * must match the stored object, otherwise a newer version exists and will be seen by its own
 * event or scan ("ignored"). A deleted object is "gone".
 */
export async function submitInboxObject(
  deps: InboxDeps,
  key: string,
  etag?: string,
): Promise<InboxOutcome> {
  if (!isInboxRequest(key)) return { kind: "ignored", reason: "not an inbox/*.yaml key" };
  let text: string;
  let current: string;
  try {
    const info = await deps.store.head(key);
    if (etag !== undefined && info.etag !== etag) {
      return { kind: "ignored", reason: "a newer version of the object exists" };
    }
    current = info.etag;
    if (info.size > MAX_INBOX_BYTES) {
      return reject(deps.store, key, current, `the request exceeds ${MAX_INBOX_BYTES} bytes`);
    }
    const obj = await deps.store.get(key);
    if (obj.etag !== current) return { kind: "ignored", reason: "the object changed while read" };
    text = new TextDecoder().decode(obj.body);
  } catch (e) {
    if (isNotFound(e)) return { kind: "gone" };
    throw e;
  }
  const doc = parseDocument(text, {
    schema: "core",
    customTags: [],
    merge: false,
    uniqueKeys: true,
    strict: true,
    prettyErrors: true,
  });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) return reject(deps.store, key, current, `invalid YAML: ${problem.message}`);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return reject(deps.store, key, current, `invalid YAML: ${(e as Error).message}`);
  }
  const request = JobRequestSchema.safeParse(value);
  if (!request.success) {
    return reject(deps.store, key, current, describeIssues(request.error.issues));
  }
  const prepared = await prepareJob(deps, request.data);
  if (!prepared.ok) return reject(deps.store, key, current, prepared.error);
  const { id, created } = await deps.queue.enqueue(prepared.payload, {
    idempotencyKey: inboxIdempotencyKey(deps.bucket, key, current),
    source: key,
  });
  return { kind: "enqueued", id, created };
}

async function reject(
  store: ObjectStore,
  key: string,
  etag: string,
  error: string,
): Promise<InboxOutcome> {
  const message = `Cannot start a job from ${key}: ${error}`;
  const note = { key, etag, error: message, at: new Date().toISOString() };
  await store.put(rejectionKey(key), JSON.stringify(note, null, 2), {
    contentType: "application/json",
  });
  return { kind: "rejected", error: message };
}
