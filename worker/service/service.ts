/**
 * The long-running worker: `concurrency` slots each claim a job, run its pipeline, and commit;
 * a reconcile loop scans `inbox/`. While the store is unreachable, claims back off (doubling up
 * to 30 s, one log line per try) and a job whose run failed on the unreachable store is given
 * back without counting the attempt. On {@link WorkerService.stop} (SIGTERM) it stops claiming,
 * aborts the running pipelines (stages checkpoint and return), releases their leases without
 * counting the attempt, and resolves.
 *
 * @module
 */

import {
  type ClaimedJob,
  datasetRootFingerprint,
  LeaseLostError,
  type ObjectStore,
  type Queue,
  StoreUnavailableError,
} from "../../infra/mod.ts";
import { jobPrefix } from "../../infra/mod.ts";
import { TriggerIndexCache } from "../../pipelines/mod.ts";
import { InvalidJobError, type PipelineRunner, planJob } from "./job.ts";
import { InboxReconciler } from "./reconcile.ts";

/** Longest wait between claims while the store keeps failing. */
const MAX_CLAIM_BACKOFF_MS = 30_000;

/** Settings of {@link WorkerService}. */
export interface WorkerOptions {
  store: ObjectStore;
  queue: Queue;
  /** Bucket name (part of the inbox deduplication key). */
  bucket: string;
  /** Runs one plan. */
  run: PipelineRunner;
  /** Jobs run at once (GPU concurrency, default 1). */
  concurrency?: number;
  /** Wait between claims when the queue is empty (default 1000 ms). */
  pollMs?: number;
  /** Period of the inbox scan (default 30 s; 0: no scan). */
  scanMs?: number;
  /** Longest wait for running pipelines to stop on shutdown (default 30 s). */
  graceMs?: number;
  /** Log sink (default `console.error`). */
  log?: (line: string) => void;
  /** Folder of shipped pipelines (default: the repository's `pipelines/`). */
  builtinDir?: URL;
}

/** Counters of a worker's life. */
export interface WorkerStats {
  succeeded: number;
  failed: number;
  retried: number;
  released: number;
  lost: number;
}

/** The worker service. */
export class WorkerService {
  /** What this worker did so far. */
  readonly stats: WorkerStats = { succeeded: 0, failed: 0, retried: 0, released: 0, lost: 0 };
  #o: Required<Omit<WorkerOptions, "builtinDir">> & Pick<WorkerOptions, "builtinDir">;
  #stopping = new AbortController();
  #reconciler: InboxReconciler;
  #running: Promise<void> | undefined;

  /** Creates the service; nothing runs before {@link start}. */
  constructor(options: WorkerOptions) {
    this.#o = {
      concurrency: 1,
      pollMs: 1000,
      scanMs: 30_000,
      graceMs: 30_000,
      log: (line) => console.error(line),
      ...options,
    };
    if (!Number.isInteger(this.#o.concurrency) || this.#o.concurrency < 1) {
      throw new RangeError(`Cannot start the worker: concurrency must be a positive integer`);
    }
    this.#reconciler = new InboxReconciler({
      store: options.store,
      queue: options.queue,
      bucket: options.bucket,
      builtinDir: options.builtinDir,
      triggers: new TriggerIndexCache(),
      bucketFingerprint: datasetRootFingerprint(options.store, options.bucket),
    });
  }

  /** Runs until {@link stop}; resolves once every slot has finished. */
  start(): Promise<void> {
    this.#running ??= (async () => {
      const loops = Array.from({ length: this.#o.concurrency }, (_, i) => this.#slot(i));
      if (this.#o.scanMs > 0) loops.push(this.#scanLoop());
      await Promise.all(loops);
    })();
    return this.#running;
  }

  /** Stops claiming, aborts running jobs (their leases are released) and waits for the end. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#running;
  }

  /** One scan of the inbox and the triggers' prefixes now (also run periodically by {@link start}). */
  reconcile(): ReturnType<InboxReconciler["scan"]> {
    return this.#reconciler.scan();
  }

  async #scanLoop(): Promise<void> {
    while (!this.#stopping.signal.aborted) {
      try {
        const r = await this.#reconciler.scan();
        if (r.enqueued + r.rejected > 0) {
          this.#o.log(`inbox scan: ${r.enqueued} enqueued, ${r.rejected} rejected`);
        }
      } catch (e) {
        this.#o.log(`inbox scan failed: ${(e as Error).message}`);
      }
      await this.#sleep(this.#o.scanMs);
    }
  }

  async #slot(slot: number): Promise<void> {
    let failures = 0;
    while (!this.#stopping.signal.aborted) {
      let claimed: ClaimedJob | null = null;
      try {
        claimed = await this.#o.queue.claim();
        if (failures > 0) this.#o.log(`slot ${slot}: the store answers again`);
        failures = 0;
      } catch (e) {
        failures++;
        const delay = Math.min(MAX_CLAIM_BACKOFF_MS, this.#o.pollMs * 2 ** Math.min(failures, 5));
        this.#o.log(
          `slot ${slot}: cannot claim (failure ${failures}, next try in ${
            (delay / 1000).toFixed(1)
          } s): ${(e as Error).message}`,
        );
        await this.#sleep(delay);
        continue;
      }
      if (!claimed) {
        await this.#sleep(this.#o.pollMs * (0.75 + Math.random() / 2));
        continue;
      }
      await this.#execute(claimed);
    }
  }

  async #execute(claimed: ClaimedJob): Promise<void> {
    const id = claimed.id;
    const abort = AbortSignal.any([claimed.signal, this.#stopping.signal]);
    this.#o.log(`job ${id}: attempt ${claimed.attempt} started`);
    try {
      const plan = planJob(id, claimed.job.payload);
      const run = this.#o.run({
        plan,
        store: this.#o.store,
        jobId: id,
        prefix: jobPrefix(id),
        signal: abort,
        progress: (p) => claimed.progress(p),
      });
      const result = await this.#untilAborted(run, abort);
      if (abort.aborted) throw abort.reason;
      await claimed.complete(result ?? null);
      this.stats.succeeded++;
      this.#o.log(`job ${id}: succeeded`);
    } catch (e) {
      await this.#settle(claimed, e);
    }
  }

  /** The run's result; on abort, waits at most `graceMs` for it to stop. */
  async #untilAborted(run: Promise<unknown>, signal: AbortSignal): Promise<unknown> {
    const aborted = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
    const first = await Promise.race([run.then((r) => ({ r })), aborted.then(() => null)]);
    if (first) return first.r;
    run.catch(() => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((r) => timer = setTimeout(r, this.#o.graceMs));
    await Promise.race([run.then(() => {}, () => {}), grace]);
    clearTimeout(timer);
    return undefined;
  }

  async #settle(claimed: ClaimedJob, error: unknown): Promise<void> {
    const id = claimed.id;
    if (claimed.signal.aborted || error instanceof LeaseLostError) {
      this.stats.lost++;
      this.#o.log(`job ${id}: stopped, ${(claimed.signal.reason as Error)?.message ?? error}`);
      return;
    }
    try {
      if (this.#stopping.signal.aborted || error instanceof StoreUnavailableError) {
        await claimed.release();
        this.stats.released++;
        this.#o.log(
          this.#stopping.signal.aborted
            ? `job ${id}: released for another worker (shutdown)`
            : `job ${id}: released without counting the attempt, the store was unavailable: ${
              (error as Error).message
            }`,
        );
        return;
      }
      const status = await claimed.fail(error, { retry: !(error instanceof InvalidJobError) });
      this.stats[status === "queued" ? "retried" : "failed"]++;
      this.#o.log(
        `job ${id}: ${status === "queued" ? "will retry" : "failed"}: ${
          (error as Error).message ?? error
        }`,
      );
    } catch (e) {
      this.stats.lost++;
      this.#o.log(`job ${id}: cannot record the outcome: ${(e as Error).message}`);
    }
  }

  #sleep(ms: number): Promise<void> {
    const signal = this.#stopping.signal;
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    });
  }
}
