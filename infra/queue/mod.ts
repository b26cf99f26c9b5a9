/**
 * The job queue on the object store: enqueue, claim with leases, heartbeat, exactly-once
 * commit, retries with backoff, dead letter, cancel, status and progress.
 *
 * @module
 */

export { retryDelayMs } from "./backoff.ts";
export type { BackoffOptions } from "./backoff.ts";
export { CorruptRecordError, LeaseLostError, QueueError } from "./errors.ts";
export type { LeaseLossReason } from "./errors.ts";
export { ClaimedJob } from "./lease.ts";
export { jobPrefix } from "./layout.ts";
export type { FailOptions } from "./lease.ts";
export { newJobId, Queue } from "./queue.ts";
export type { RemoveOutcome } from "./removal.ts";
export type { EnqueueOptions, EnqueueResult, ListJobsOptions, QueueOptions } from "./queue.ts";
export { isFinal, JOB_ID_PATTERN, JOB_STATUSES } from "./records.ts";
export type { JobError, JobProgress, JobRecord, JobStatus, JobStatusName } from "./records.ts";
export { assertConditionalWrites } from "./self_check.ts";
