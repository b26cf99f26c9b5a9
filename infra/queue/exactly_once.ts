/**
 * The exactly-once scenario: several in-process workers share one queue while some crash holding
 * a lease and some pause for three lease periods (mid-work and right before committing). Used by
 * the queue tests on every store, and by a mutation check that shows the checks can fail.
 *
 * @module
 */

import type { ObjectStore } from "../store/types.ts";
import { LeaseLostError } from "./errors.ts";
import { Queue } from "./queue.ts";
import type { JobStatus } from "./records.ts";

/** Settings of {@link runExactlyOnceScenario}. */
export interface ScenarioOptions {
  /** Number of jobs (default 24). */
  jobs?: number;
  /** Number of workers, at least 4: w0 and w1 crash, w2 and w3 pause (default 6). */
  workers?: number;
  /** Lease duration (default 400 ms); work steps last leaseMs / 8. */
  leaseMs?: number;
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
}

/** What happened in one run. */
export interface ScenarioReport {
  /** Ids of the jobs enqueued. */
  jobs: string[];
  /** Owners whose `complete()` succeeded, per job. */
  commits: Map<string, string[]>;
  /** `complete()` calls refused because the lease had been stolen. */
  fenced: number;
  /** Heartbeats that found the lease lost. */
  lostHeartbeats: number;
  /** Final status of every job. */
  statuses: Map<string, JobStatus | null>;
  /** Whether every job got a commit before the timeout. */
  finished: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the scenario on `store` under a fresh prefix and reports what happened. */
export async function runExactlyOnceScenario(
  store: ObjectStore,
  options: ScenarioOptions = {},
): Promise<ScenarioReport> {
  const jobCount = options.jobs ?? 24;
  const workerCount = options.workers ?? 6;
  const leaseMs = options.leaseMs ?? 400;
  const stepMs = Math.floor(leaseMs / 8);
  const prefix = `scenario-${crypto.randomUUID().slice(0, 8)}/`;
  const queues = await Promise.all(
    Array.from(
      { length: workerCount },
      (_, i) =>
        Queue.open(store, { prefix, owner: `w${i}`, leaseMs, heartbeatMs: 0, maxAttempts: 20 }),
    ),
  );
  const jobs: string[] = [];
  for (let i = 0; i < jobCount; i++) jobs.push((await queues[0].enqueue({ n: i })).id);

  const commits = new Map<string, string[]>();
  let fenced = 0;
  let lostHeartbeats = 0;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const finished = () => commits.size === jobCount;

  const worker = async (index: number) => {
    const q = queues[index];
    let nth = 0;
    while (!finished() && Date.now() < deadline) {
      const job = await q.claim();
      if (!job) {
        await sleep(20);
        continue;
      }
      nth++;
      let committing = false;
      try {
        for (let step = 0; step < 3; step++) {
          // Crash: stop everything while holding the lease.
          if ((index === 0 && nth === 1 && step === 1) || (index === 1 && nth === 2)) return;
          if (index === 2 && nth === 1 && step === 1) await sleep(3 * leaseMs);
          await sleep(stepMs);
          await job.heartbeat();
        }
        if (index === 3 && nth <= 2) await sleep(3 * leaseMs);
        committing = true;
        await job.complete({ by: q.owner, epoch: job.epoch });
        commits.set(job.id, [...(commits.get(job.id) ?? []), q.owner]);
      } catch (e) {
        if (!(e instanceof LeaseLostError)) throw e;
        if (committing) fenced++;
        else lostHeartbeats++;
      }
    }
  };
  await Promise.all(queues.map((_, i) => worker(i)));
  const statuses = new Map<string, JobStatus | null>();
  for (const id of jobs) statuses.set(id, await queues[0].get(id));
  return { jobs, commits, fenced, lostHeartbeats, statuses, finished: finished() };
}

/**
 * Checks a report: every job succeeded, was committed exactly once, its stored result names
 * the committer, and the run really exercised stealing. Returns the violations (empty: passed).
 */
export function exactlyOnceViolations(report: ScenarioReport): string[] {
  const out: string[] = [];
  if (!report.finished) out.push("not every job was committed before the timeout");
  let stolen = 0;
  for (const id of report.jobs) {
    const status = report.statuses.get(id);
    const committers = report.commits.get(id) ?? [];
    if (status?.status !== "succeeded") out.push(`job ${id} ended ${status?.status ?? "missing"}`);
    if (committers.length !== 1) out.push(`job ${id} committed ${committers.length} times`);
    const by = (status?.result as { by?: string } | undefined)?.by;
    if (committers.length > 0 && by !== committers[committers.length - 1]) {
      out.push(`job ${id} stores the result of ${by}, committed by ${committers.join(", ")}`);
    }
    if ((status?.attempts ?? 0) > 1) stolen++;
  }
  if (stolen === 0) out.push("no lease was stolen: the run did not exercise expiry");
  return out;
}
