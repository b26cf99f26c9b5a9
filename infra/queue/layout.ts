/**
 * Where the queue keeps its objects, and typed reads of them.
 *
 * ```
 * <prefix>jobs/<id>.json               job record, written once
 * <prefix>state/<id>.json              state object (lease), conditional writes only
 * <prefix>pending/<id>                 marker: the job may need work; removed once final
 * <prefix>idempotency/<sha256>.json    idempotency key -> job id
 * <prefix>probe/<uuid>                 startup self-check (deleted right away)
 * ```
 *
 * @module
 */

import { NotFoundError } from "../store/errors.ts";
import type { ObjectStore } from "../store/types.ts";
import {
  type JobRecord,
  JobRecordSchema,
  type JobState,
  JobStateSchema,
  parseRecord,
} from "./records.ts";

/** Prefix of a job's own objects (artifacts, report, log) in the bucket: `jobs/<id>/`. */
export function jobPrefix(id: string): string {
  return `jobs/${id}/`;
}

/** A state object with the ETag it was read at. */
export interface VersionedState {
  /** The parsed state. */
  state: JobState;
  /** Its ETag, for the next conditional write. */
  etag: string;
}

/** Key layout of one queue under `prefix`, with typed reads. */
export class QueueLayout {
  /** Creates the layout; `prefix` is empty or ends with `/`. */
  constructor(readonly store: ObjectStore, readonly prefix: string) {}

  /** Key of the job record. */
  job(id: string): string {
    return `${this.prefix}jobs/${id}.json`;
  }

  /** Key of the state object. */
  state(id: string): string {
    return `${this.prefix}state/${id}.json`;
  }

  /** Prefix of the pending markers. */
  get pendingPrefix(): string {
    return `${this.prefix}pending/`;
  }

  /** Key of the pending marker. */
  pending(id: string): string {
    return `${this.pendingPrefix}${id}`;
  }

  /** Prefix of the job records. */
  get jobsPrefix(): string {
    return `${this.prefix}jobs/`;
  }

  /** Key of an idempotency record. */
  async idempotency(idempotencyKey: string): Promise<string> {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(idempotencyKey));
    const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
    return `${this.prefix}idempotency/${hex}.json`;
  }

  /** Reads a job record, or `null` when it does not exist. */
  async readJob(id: string): Promise<JobRecord | null> {
    try {
      const obj = await this.store.get(this.job(id));
      return parseRecord(JobRecordSchema, obj.body, obj.key);
    } catch (e) {
      if (e instanceof NotFoundError) return null;
      throw e;
    }
  }

  /** Reads a state object with its ETag, or `null` when the job was never claimed. */
  async readState(id: string): Promise<VersionedState | null> {
    try {
      const obj = await this.store.get(this.state(id));
      return { state: parseRecord(JobStateSchema, obj.body, obj.key), etag: obj.etag };
    } catch (e) {
      if (e instanceof NotFoundError) return null;
      throw e;
    }
  }

  /** Deletes the pending marker, ignoring failures (a later scan retries). */
  async dropPending(id: string): Promise<void> {
    await this.store.delete(this.pending(id)).catch(() => {});
  }
}
