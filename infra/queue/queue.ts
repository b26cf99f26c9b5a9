/**
 * The job queue, kept entirely in an {@link ObjectStore} with conditional writes.
 *
 * - Enqueue writes a pending marker and the job record (`If-None-Match: *`); an idempotency key
 *   maps to one job id through its own create-once object, so a retried enqueue returns the
 *   same job.
 * - Claim creates the job's state object with `If-None-Match: *`, or replaces a `queued` one
 *   with `If-Match`. The claimer holds a lease it renews by heartbeat ({@link ClaimedJob}).
 * - A lease whose state object keeps the same ETag for a whole lease period, as seen by this
 *   process's monotonic clock, has expired: it is stolen with `If-Match` (epoch + 1). Observing
 *   rather than comparing timestamps makes expiry immune to clock skew between machines.
 * - Every start counts as an attempt; after `maxAttempts` the job ends `failed` with its last
 *   error kept (dead letter). Cancel is one more conditional write, which fences the holder.
 * - The queue refuses to open on a store that does not enforce conditional writes.
 *
 * A job runs at least once; its result is committed exactly once (the first successful
 * `complete`), because every state write is conditional on the holder's last write.
 *
 * @module
 */

import { PreconditionFailedError } from "../store/errors.ts";
import { validatePrefix } from "../store/keys.ts";
import type { ObjectStore } from "../store/types.ts";
import { CorruptRecordError, QueueError } from "./errors.ts";
import { QueueLayout, type VersionedState } from "./layout.ts";
import { ClaimedJob, type LeaseSettings } from "./lease.ts";
import { IdempotencySchema, removeJob, type RemoveOutcome } from "./removal.ts";
import {
  isFinal,
  JOB_ID_PATTERN,
  type JobError,
  type JobRecord,
  type JobState,
  type JobStatus,
  type JobStatusName,
  parseRecord,
} from "./records.ts";
import { assertConditionalWrites } from "./self_check.ts";

/** Options of {@link Queue.open}. */
export interface QueueOptions {
  /** Key prefix of every queue object (default `"queue/"`). */
  prefix?: string;
  /** Name of this worker in leases (default: random). */
  owner?: string;
  /** Lease duration (default 30 s). */
  leaseMs?: number;
  /** Automatic heartbeat period (default leaseMs / 3); 0: call `heartbeat()` yourself. */
  heartbeatMs?: number;
  /** Least time between progress writes in automatic mode (default 1 s). */
  progressMs?: number;
  /** Default most starts per job (default 3). */
  maxAttempts?: number;
  /** Backoff before the second attempt (default 1 s), doubling per attempt... */
  retryBaseMs?: number;
  /** ...up to this cap (default 60 s); jittered to [d/2, d). */
  retryCapMs?: number;
  /** Uniform [0, 1) source for the jitter (default `Math.random`). */
  random?: () => number;
}

/** Options of {@link Queue.enqueue}. */
export interface EnqueueOptions {
  /**
   * Same key, same job: a repeated enqueue returns the first job's id. Concurrent enqueues of
   * one key are assumed to carry the same request; the first record written wins.
   */
  idempotencyKey?: string;
  /** Most starts for this job (default: the queue's). */
  maxAttempts?: number;
  /** What started the job, e.g. `inbox/run.yaml`. */
  source?: string;
}

/** Result of {@link Queue.enqueue}. */
export interface EnqueueResult {
  /** The job id. */
  id: string;
  /** `false` when an earlier enqueue with the same idempotency key made the job. */
  created: boolean;
  /** `true` when that earlier job has since been removed: nothing was enqueued. */
  deleted?: boolean;
}

/** Options of {@link Queue.list}. */
export interface ListJobsOptions {
  /** Continue after this job id (the `next` of a previous call). */
  after?: string;
  /** Most jobs to return, 1..1000 (default 50). */
  limit?: number;
  /** Only jobs in this status. */
  status?: JobStatusName;
  /** Only jobs with this source. */
  source?: string;
}

/** A markers without job record older than this is a crashed enqueue and is removed. */
const ORPHAN_MARKER_MS = 5 * 60_000;
/** Records scanned at most by one {@link Queue.list} call. */
const LIST_SCAN_LIMIT = 5000;

/** The job queue on an object store. */
export class Queue {
  /** The store holding the queue. */
  readonly store: ObjectStore;
  /** Key prefix of the queue's objects. */
  readonly prefix: string;
  /** This worker's name in leases. */
  readonly owner: string;
  #layout: QueueLayout;
  #settings: LeaseSettings;
  #maxAttempts: number;
  /** Running leases seen by this process: ETag and when it was first seen (monotonic ms). */
  #observed = new Map<string, { etag: string; since: number; leaseMs: number }>();

  private constructor(
    store: ObjectStore,
    options: Required<Omit<QueueOptions, "random">> & QueueOptions,
  ) {
    this.store = store;
    this.prefix = options.prefix;
    this.owner = options.owner;
    this.#layout = new QueueLayout(store, options.prefix);
    this.#maxAttempts = options.maxAttempts;
    this.#settings = {
      leaseMs: options.leaseMs,
      heartbeatMs: options.heartbeatMs,
      progressMs: options.progressMs,
      backoff: { baseMs: options.retryBaseMs, capMs: options.retryCapMs, random: options.random },
    };
  }

  /** Validates options, checks that `store` enforces conditional writes, and opens the queue. */
  static async open(store: ObjectStore, options: QueueOptions = {}): Promise<Queue> {
    const leaseMs = options.leaseMs ?? 30_000;
    const resolved = {
      prefix: options.prefix ?? "queue/",
      owner: options.owner ?? `worker-${crypto.randomUUID().slice(0, 8)}`,
      leaseMs,
      heartbeatMs: options.heartbeatMs ?? Math.floor(leaseMs / 3),
      progressMs: options.progressMs ?? 1000,
      maxAttempts: options.maxAttempts ?? 3,
      retryBaseMs: options.retryBaseMs ?? 1000,
      retryCapMs: options.retryCapMs ?? 60_000,
      random: options.random,
    };
    if (resolved.prefix !== "" && !resolved.prefix.endsWith("/")) {
      throw new QueueError(
        `Cannot open the queue: prefix must end with '/', got ${resolved.prefix}`,
      );
    }
    validatePrefix(resolved.prefix);
    for (const name of ["leaseMs", "progressMs", "retryBaseMs", "retryCapMs"] as const) {
      if (!Number.isInteger(resolved[name]) || resolved[name] <= 0) {
        throw new QueueError(`Cannot open the queue: ${name} must be a positive integer`);
      }
    }
    if (
      !Number.isInteger(resolved.heartbeatMs) || resolved.heartbeatMs < 0 ||
      resolved.heartbeatMs >= leaseMs
    ) {
      throw new QueueError("Cannot open the queue: heartbeatMs must be 0 or in 1..leaseMs-1");
    }
    checkMaxAttempts(resolved.maxAttempts);
    await assertConditionalWrites(store, resolved.prefix);
    return new Queue(store, resolved);
  }

  /** Adds a job; with an idempotency key, a repeated call returns the first call's job. */
  async enqueue(payload: unknown, options: EnqueueOptions = {}): Promise<EnqueueResult> {
    const maxAttempts = options.maxAttempts ?? this.#maxAttempts;
    checkMaxAttempts(maxAttempts);
    let encoded: string | undefined;
    try {
      encoded = JSON.stringify(payload);
    } catch (e) {
      throw new QueueError(`Cannot enqueue: the payload is not JSON (${(e as Error).message})`);
    }
    if (encoded === undefined) throw new QueueError("Cannot enqueue: the payload is undefined");
    const { idempotencyKey, source } = options;
    if (idempotencyKey !== undefined && (idempotencyKey === "" || idempotencyKey.length > 512)) {
      throw new QueueError("Cannot enqueue: idempotencyKey must have 1..512 characters");
    }
    let id = newJobId();
    let created = true;
    if (idempotencyKey !== undefined) {
      const key = await this.#layout.idempotency(idempotencyKey);
      try {
        await this.store.put(key, JSON.stringify({ id, idempotencyKey }), {
          ifNoneMatch: "*",
          contentType: "application/json",
        });
      } catch (e) {
        if (!(e instanceof PreconditionFailedError)) throw e;
        const obj = await this.store.get(key);
        const marker = parseRecord(IdempotencySchema, obj.body, key);
        id = marker.id;
        created = false;
        if (marker.deletedAt !== undefined) return { id, created, deleted: true };
        // A job record implies its marker was written first: nothing left to repair.
        if (await this.#layout.readJob(id)) return { id, created };
        // Repairing a crashed enqueue: rewriting the marker unchanged fails if a concurrent
        // `remove` has tombstoned it since it was read (its job record is then gone, not late).
        try {
          await this.store.put(key, obj.body, {
            ifMatch: obj.etag,
            contentType: "application/json",
          });
        } catch (e) {
          if (!(e instanceof PreconditionFailedError)) throw e;
          const again = parseRecord(IdempotencySchema, (await this.store.get(key)).body, key);
          if (again.deletedAt !== undefined) return { id, created, deleted: true };
        }
      }
    }
    const record: JobRecord = {
      id,
      payload: JSON.parse(encoded),
      createdAt: new Date().toISOString(),
      maxAttempts,
      idempotencyKey,
      source,
    };
    // Marker first: a job record then always has a marker until the job is final.
    await this.store.put(this.#layout.pending(id), "");
    try {
      await this.store.put(this.#layout.job(id), JSON.stringify(record), {
        ifNoneMatch: "*",
        contentType: "application/json",
      });
    } catch (e) {
      // With an idempotency key, a concurrent enqueue of the same key may write it first.
      if (!(e instanceof PreconditionFailedError) || idempotencyKey === undefined) throw e;
    }
    return { id, created };
  }

  /**
   * Claims the next job that can run: never claimed, queued for a retry whose backoff has
   * passed, or running under a lease that expired. Resolves `null` when there is none. Jobs
   * whose stored records are damaged are skipped.
   */
  async claim(): Promise<ClaimedJob | null> {
    const prefix = this.#layout.pendingPrefix;
    let startAfter: string | undefined;
    do {
      const page = await this.store.list(prefix, { startAfter, limit: 100 });
      for (const item of page.items) {
        const id = item.key.slice(prefix.length);
        if (!JOB_ID_PATTERN.test(id)) continue;
        let claimed: ClaimedJob | null;
        try {
          claimed = await this.#tryClaim(id, item.lastModified);
        } catch (e) {
          // A damaged record blocks only its own job (its status read reports the damage).
          if (e instanceof CorruptRecordError) continue;
          throw e;
        }
        if (claimed) return claimed;
      }
      startAfter = page.next;
    } while (startAfter);
    return null;
  }

  /** The job's status, or `null` when there is no such job. */
  async get(id: string): Promise<JobStatus | null> {
    if (!JOB_ID_PATTERN.test(id)) return null;
    const [job, current] = await Promise.all([
      this.#layout.readJob(id),
      this.#layout.readState(id),
    ]);
    return job ? view(job, current?.state) : null;
  }

  /**
   * Lists jobs in id (creation) order, filtered by status and source. Scans at most a few
   * thousand records per call, so a page can hold fewer than `limit` jobs and still have `next`.
   */
  async list(options: ListJobsOptions = {}): Promise<{ jobs: JobStatus[]; next?: string }> {
    const limit = options.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new QueueError(`Cannot list jobs: limit must be an integer in 1..1000, got ${limit}`);
    }
    if (options.after !== undefined && !JOB_ID_PATTERN.test(options.after)) {
      throw new QueueError(`Cannot list jobs: ${JSON.stringify(options.after)} is not a job id`);
    }
    const prefix = this.#layout.jobsPrefix;
    const jobs: JobStatus[] = [];
    let startAfter = options.after === undefined ? undefined : this.#layout.job(options.after);
    let scanned = 0;
    let lastId: string | undefined;
    while (scanned < LIST_SCAN_LIMIT) {
      const page = await this.store.list(prefix, { startAfter, limit: Math.min(limit, 100) });
      const ids = page.items.map((i) => i.key.slice(prefix.length).replace(/\.json$/, ""));
      const views = await Promise.all(ids.map((id) => this.get(id)));
      for (const [i, status] of views.entries()) {
        lastId = ids[i];
        if (!status) continue;
        if (options.status !== undefined && status.status !== options.status) continue;
        if (options.source !== undefined && status.source !== options.source) continue;
        jobs.push(status);
        if (jobs.length === limit) {
          const more = i < views.length - 1 || page.next !== undefined;
          return more ? { jobs, next: status.id } : { jobs };
        }
      }
      scanned += ids.length;
      if (!page.next) return { jobs };
      startAfter = page.next;
    }
    return lastId === undefined ? { jobs } : { jobs, next: lastId };
  }

  /**
   * Cancels a job that is not final yet; a running holder loses its lease at its next write.
   * Resolves the resulting status (unchanged when already final), or `null` when there is no
   * such job.
   */
  async cancel(id: string): Promise<JobStatus | null> {
    if (!JOB_ID_PATTERN.test(id)) return null;
    for (let attempt = 0; attempt < 20; attempt++) {
      const [job, current] = await Promise.all([
        this.#layout.readJob(id),
        this.#layout.readState(id),
      ]);
      if (!job) return null;
      if (current && isFinal(current.state.status)) return view(job, current.state);
      const now = new Date().toISOString();
      const writeId = crypto.randomUUID();
      const next: JobState = current
        ? {
          ...current.state,
          status: "cancelled",
          hb: current.state.hb + 1,
          writeId,
          updatedAt: now,
        }
        : { id, status: "cancelled", attempts: 0, epoch: 0, hb: 1, writeId, updatedAt: now };
      try {
        await this.store.put(
          this.#layout.state(id),
          JSON.stringify(next),
          current ? { ifMatch: current.etag } : { ifNoneMatch: "*" },
        );
      } catch (e) {
        if (e instanceof PreconditionFailedError) continue;
        throw e;
      }
      await this.#layout.dropPending(id);
      return view(job, next);
    }
    throw new QueueError(`Cannot cancel job ${id}: its state kept changing`);
  }

  /**
   * Removes a final job with its artifacts (every object under `jobs/<id>/`); a queued or running
   * job must be cancelled first. Its idempotency key stays spent. See `removal.ts`.
   */
  remove(id: string): Promise<RemoveOutcome> {
    return removeJob(this.#layout, id, this.#settings.leaseMs);
  }

  async #tryClaim(id: string, markerTime: Date): Promise<ClaimedJob | null> {
    const seen = this.#observed.get(id);
    if (seen && performance.now() - seen.since < seen.leaseMs) return null;
    const current = await this.#layout.readState(id);
    if (!current) {
      const job = await this.#layout.readJob(id);
      if (job) return await this.#start(job, null);
      if (Date.now() - markerTime.getTime() > ORPHAN_MARKER_MS) await this.#layout.dropPending(id);
      return null;
    }
    const { state, etag } = current;
    if (isFinal(state.status)) {
      this.#observed.delete(id);
      await this.#layout.dropPending(id);
      return null;
    }
    if (state.status === "queued") {
      if (state.notBefore && Date.parse(state.notBefore) > Date.now()) return null;
      const job = await this.#layout.readJob(id);
      return job ? await this.#start(job, current) : null;
    }
    if (!seen || seen.etag !== etag) {
      const leaseMs = state.leaseMs ?? this.#settings.leaseMs;
      this.#observed.set(id, { etag, since: performance.now(), leaseMs });
      return null;
    }
    // The same ETag for a whole lease period: the holder stopped renewing.
    const job = await this.#layout.readJob(id);
    if (!job) return null;
    const expired: JobError = {
      message: `the lease of attempt ${state.attempts} (owner ${state.owner ?? "unknown"}) expired`,
      name: "LeaseExpired",
      attempt: state.attempts,
      at: new Date().toISOString(),
    };
    if (state.attempts < job.maxAttempts) return await this.#start(job, current, expired);
    const failed: JobState = {
      ...state,
      status: "failed",
      hb: state.hb + 1,
      writeId: crypto.randomUUID(),
      error: { ...expired, message: `${expired.message}; no attempts left` },
      updatedAt: new Date().toISOString(),
    };
    try {
      await this.store.put(this.#layout.state(id), JSON.stringify(failed), { ifMatch: etag });
      await this.#layout.dropPending(id);
    } catch (e) {
      if (!(e instanceof PreconditionFailedError)) throw e;
    }
    this.#observed.delete(id);
    return null;
  }

  /** Claims (from nothing or a queued state) or steals (from an expired lease) with one CAS. */
  async #start(
    job: JobRecord,
    previous: VersionedState | null,
    error?: JobError,
  ): Promise<ClaimedJob | null> {
    const prev = previous?.state;
    const state: JobState = {
      id: job.id,
      status: "running",
      attempts: (prev?.attempts ?? 0) + 1,
      epoch: (prev?.epoch ?? 0) + 1,
      hb: (prev?.hb ?? 0) + 1,
      writeId: crypto.randomUUID(),
      owner: this.owner,
      token: crypto.randomUUID(),
      leaseMs: this.#settings.leaseMs,
      error: error ?? prev?.error,
      updatedAt: new Date().toISOString(),
    };
    const claimedAt = Date.now();
    this.#observed.delete(job.id);
    try {
      const { etag } = await this.store.put(
        this.#layout.state(job.id),
        JSON.stringify(state),
        previous
          ? { ifMatch: previous.etag, contentType: "application/json" }
          : { ifNoneMatch: "*", contentType: "application/json" },
      );
      return new ClaimedJob(this.#layout, this.#settings, job, { state, etag }, claimedAt);
    } catch (e) {
      if (e instanceof PreconditionFailedError) return null;
      throw e;
    }
  }
}

/** Merges a job record and its state (absent: never claimed) into a {@link JobStatus}. */
function view(job: JobRecord, state: JobState | undefined): JobStatus {
  return {
    id: job.id,
    status: state?.status ?? "queued",
    attempts: state?.attempts ?? 0,
    maxAttempts: job.maxAttempts,
    progress: state?.progress,
    error: state?.error,
    result: state?.result,
    source: job.source,
    payload: job.payload,
    createdAt: job.createdAt,
    updatedAt: state?.updatedAt ?? job.createdAt,
  };
}

function checkMaxAttempts(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw new QueueError(`Cannot use maxAttempts ${n}: it must be an integer in 1..100`);
  }
}

let lastIdTime = 0;
let lastIdRandom = 0;

/**
 * A new job id: UTC time to the millisecond and 32 random bits. Ids sort by creation: within a
 * process, a second id in the same millisecond (or after the clock stepped back) takes a larger
 * random part than the one before.
 */
export function newJobId(): string {
  const random = () => crypto.getRandomValues(new Uint32Array(1))[0];
  let time = Math.max(Date.now(), lastIdTime);
  let rand = random();
  if (time === lastIdTime) {
    rand = lastIdRandom + 1 + (rand & 0xffff);
    if (rand > 0xffff_ffff) {
      time++;
      rand = random();
    }
  }
  lastIdTime = time;
  lastIdRandom = rand;
  const t = new Date(time).toISOString().replace(/[-:]/g, "").replace(".", "");
  return `${t}-${rand.toString(16).padStart(8, "0")}`;
}
