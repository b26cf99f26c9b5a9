/**
 * Errors of the job queue.
 *
 * @module
 */

/** Why a lease was lost. */
export type LeaseLossReason = "cancelled" | "stolen" | "finished" | "missing" | "unreachable";

/** The worker no longer holds the job's lease: stop working on it now and discard results. */
export class LeaseLostError extends Error {
  override name = "LeaseLostError";
  /** Creates the error for job `jobId`. */
  constructor(readonly jobId: string, readonly reason: LeaseLossReason, detail: string) {
    super(`Cannot continue job ${jobId}: lease lost (${reason}): ${detail}`);
  }
}

/** The queue cannot run or was used wrongly (bad options, a store without conditional writes). */
export class QueueError extends Error {
  override name = "QueueError";
}

/** A stored queue record is not valid JSON or does not match its schema. */
export class CorruptRecordError extends QueueError {
  override name = "CorruptRecordError";
  /** Creates the error for the object `key`. */
  constructor(readonly key: string, detail: string) {
    super(`Cannot read ${key}: ${detail}`);
  }
}
