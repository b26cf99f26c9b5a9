/**
 * A claimed job: the worker's handle on one lease.
 *
 * Every write (heartbeat, progress, commit, failure, release) is a conditional PUT of the state
 * object with `If-Match` on the ETag of the holder's previous write; it bumps the write counter
 * `hb` and carries a random `writeId`, so each write has a new ETag. A lost condition means
 * someone stole the lease (it expired) or cancelled the job: the handle's
 * {@link ClaimedJob.signal} aborts with a {@link LeaseLostError} and the worker must stop and
 * discard its results. A write whose response was lost is recognised on the next read by its
 * `writeId`, and adopted.
 *
 * @module
 */

import { PreconditionFailedError, StoreUnavailableError } from "../store/errors.ts";
import { type BackoffOptions, retryDelayMs } from "./backoff.ts";
import { type LeaseLossReason, LeaseLostError } from "./errors.ts";
import type { QueueLayout, VersionedState } from "./layout.ts";
import type { JobError, JobProgress, JobRecord, JobState } from "./records.ts";

/** Settings a lease needs from its queue. */
export interface LeaseSettings {
  /** Lease duration: the holder must write at least this often. */
  leaseMs: number;
  /** Automatic heartbeat period; 0 means the caller calls `heartbeat()` itself. */
  heartbeatMs: number;
  /** Least time between progress-triggered writes in automatic mode. */
  progressMs: number;
  /** Backoff between failed attempts. */
  backoff: BackoffOptions;
}

/** Options of {@link ClaimedJob.fail}. */
export interface FailOptions {
  /** `false` fails the job for good even when attempts remain (default true). */
  retry?: boolean;
}

/** The worker's handle on one claimed job. */
export class ClaimedJob {
  /** The job record (input, limits, source). */
  readonly job: JobRecord;
  /** Aborts (reason: {@link LeaseLostError}) when the lease is lost: stop work at once. */
  readonly signal: AbortSignal;
  #layout: QueueLayout;
  #settings: LeaseSettings;
  #state: JobState;
  #etag: string;
  #renewedAt: number;
  #lastWriteAt: number;
  #controller = new AbortController();
  #chain: Promise<unknown> = Promise.resolve();
  #inFlight = false;
  #ended: LeaseLostError | null = null;
  #progress: JobProgress | undefined;
  #progressDirty = false;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Wraps a successful claim write (made by the queue at `claimedAt`, `Date.now()` time). */
  constructor(
    layout: QueueLayout,
    settings: LeaseSettings,
    job: JobRecord,
    claimed: VersionedState,
    claimedAt: number,
  ) {
    this.#layout = layout;
    this.#settings = settings;
    this.job = job;
    this.#state = claimed.state;
    this.#etag = claimed.etag;
    this.#renewedAt = claimedAt;
    this.#lastWriteAt = claimedAt;
    this.signal = this.#controller.signal;
    if (settings.heartbeatMs > 0) {
      const tick = Math.max(5, Math.min(settings.heartbeatMs, settings.progressMs));
      this.#timer = setInterval(() => this.#tick(), tick);
    }
  }

  /** The job id. */
  get id(): string {
    return this.job.id;
  }

  /** Which start of the job this is (1-based). */
  get attempt(): number {
    return this.#state.attempts;
  }

  /** Lease generation; results written outside the state object should be keyed by it. */
  get epoch(): number {
    return this.#state.epoch;
  }

  /** Records progress; it is written with the next heartbeat (throttled in automatic mode). */
  progress(progress: JobProgress): void {
    this.#progress = progress;
    this.#progressDirty = true;
  }

  /** Renews the lease now (and writes pending progress); throws {@link LeaseLostError}. */
  heartbeat(): Promise<void> {
    return this.#write((s) => ({ ...s }), false);
  }

  /**
   * Commits the job exactly once: `succeeded` with `result`. Throws {@link LeaseLostError} when
   * the lease was lost meanwhile; then another worker owns the job and this result is discarded.
   */
  async complete(result?: unknown): Promise<void> {
    await this.#write((s) => ({ ...s, status: "succeeded", result, notBefore: undefined }), true);
    await this.#layout.dropPending(this.id);
  }

  /**
   * Records a failed attempt. While attempts remain (and `retry` is not false) the job goes back
   * to `queued` after a capped, jittered backoff; otherwise it ends `failed` with the error kept.
   * Resolves with the resulting status; throws {@link LeaseLostError} when the lease was lost.
   */
  async fail(error: unknown, options: FailOptions = {}): Promise<"queued" | "failed"> {
    const kept: JobError = {
      message: error instanceof Error ? error.message : String(error),
      name: error instanceof Error ? error.name : undefined,
      attempt: this.#state.attempts,
      at: new Date().toISOString(),
    };
    const retry = (options.retry ?? true) && this.#state.attempts < this.job.maxAttempts;
    if (retry) {
      const delay = retryDelayMs(this.#state.attempts, this.#settings.backoff);
      const notBefore = new Date(Date.now() + delay).toISOString();
      await this.#write((s) => ({ ...s, status: "queued", error: kept, notBefore }), true);
      return "queued";
    }
    await this.#write((s) => ({ ...s, status: "failed", error: kept, notBefore: undefined }), true);
    await this.#layout.dropPending(this.id);
    return "failed";
  }

  /** Gives the job back without counting this attempt (graceful shutdown). */
  async release(): Promise<void> {
    await this.#write(
      (s) => ({ ...s, status: "queued", attempts: s.attempts - 1, notBefore: undefined }),
      true,
    );
  }

  #tick(): void {
    if (this.#inFlight || this.#ended) return;
    const since = Date.now() - this.#lastWriteAt;
    const due = since >= this.#settings.heartbeatMs ||
      (this.#progressDirty && since >= this.#settings.progressMs);
    // A loss is reported through `signal`; nothing else to do with the rejection here.
    if (due) this.heartbeat().catch(() => {});
  }

  #write(build: (s: JobState) => JobState, final: boolean): Promise<void> {
    const run = async () => {
      if (this.#ended) throw this.#ended;
      this.#inFlight = true;
      try {
        const base = build(this.#state);
        const next: JobState = {
          ...base,
          hb: this.#state.hb + 1,
          writeId: crypto.randomUUID(),
          progress: this.#progress ?? base.progress,
          updatedAt: new Date().toISOString(),
        };
        this.#progressDirty = false;
        await this.#cas(next);
        if (final) {
          this.#end(new LeaseLostError(this.id, "finished", "this worker already finished it"));
        }
      } finally {
        this.#inFlight = false;
      }
    };
    const result = this.#chain.then(run, run);
    this.#chain = result.catch(() => {});
    return result;
  }

  async #cas(next: JobState): Promise<void> {
    const { store } = this.#layout;
    const key = this.#layout.state(this.id);
    const body = JSON.stringify(next);
    for (let attempt = 0;; attempt++) {
      const startedAt = Date.now();
      try {
        const { etag } = await store.put(key, body, {
          ifMatch: this.#etag,
          contentType: "application/json",
        });
        this.#accept(next, etag, startedAt);
        return;
      } catch (e) {
        if (e instanceof PreconditionFailedError) {
          const current = await this.#layout.readState(this.id).catch(() => null);
          if (current !== null && current.state.writeId === next.writeId) {
            // An earlier try of this very write landed; its response was lost.
            this.#accept(next, current.etag, startedAt);
            return;
          }
          throw this.#lose(lossReason(current, next), describe(current));
        }
        if (!(e instanceof StoreUnavailableError)) throw e;
        const delay = Math.min(1000, 50 * 2 ** attempt);
        if (Date.now() + delay >= this.#renewedAt + this.#settings.leaseMs) {
          throw this.#lose("unreachable", `the lease could not be renewed in time: ${e.message}`);
        }
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  #accept(next: JobState, etag: string, startedAt: number): void {
    this.#state = next;
    this.#etag = etag;
    this.#renewedAt = startedAt;
    this.#lastWriteAt = Date.now();
  }

  #lose(reason: LeaseLossReason, detail: string): LeaseLostError {
    const error = new LeaseLostError(this.id, reason, detail);
    this.#end(error);
    this.#controller.abort(error);
    return error;
  }

  #end(error: LeaseLostError): void {
    this.#ended = error;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

function lossReason(current: VersionedState | null, mine: JobState): LeaseLossReason {
  if (!current) return "missing";
  if (current.state.status === "cancelled") return "cancelled";
  if (current.state.token !== mine.token) return "stolen";
  return "finished";
}

function describe(current: VersionedState | null): string {
  if (!current) return "the state object is gone";
  const s = current.state;
  return `the job is now ${s.status} (attempt ${s.attempts}, epoch ${s.epoch}, owner ${
    s.owner ?? "none"
  })`;
}
