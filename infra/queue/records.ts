/**
 * The queue's stored records and their schemas. A job is two objects:
 * - the job record (`<prefix>jobs/<id>.json`), written once at enqueue and never changed;
 * - the state object (`<prefix>state/<id>.json`), the job's lease and state machine, changed
 *   only by conditional writes. A missing state object means "queued, never claimed".
 *
 * @module
 */

import { z } from "zod";
import { CorruptRecordError } from "./errors.ts";

/** Lifecycle of a job. `succeeded`, `failed` and `cancelled` are final. */
export const JOB_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;

/** One of {@link JOB_STATUSES}. */
export type JobStatusName = typeof JOB_STATUSES[number];

/** Whether no further transition can happen from `status`. */
export function isFinal(status: JobStatusName): boolean {
  return status === "succeeded" || status === "failed" || status === "cancelled";
}

/** Job ids: letters, digits, `.`, `_`, `-`; they are used inside object keys. */
export const JOB_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Progress a running job reports; free-form beyond the common fields. */
export const JobProgressSchema = z.looseObject({
  /** Fraction done, 0..1. */
  fraction: z.number().min(0).max(1).optional(),
  /** Current stage or phase. */
  stage: z.string().optional(),
  /** Human-readable line. */
  message: z.string().optional(),
});

/** Progress a running job reports. */
export type JobProgress = z.infer<typeof JobProgressSchema>;

/** The error kept for a failed attempt. */
export const JobErrorSchema = z.object({
  message: z.string(),
  name: z.string().optional(),
  attempt: z.number().int(),
  at: z.string(),
});

/** The error kept for a failed attempt. */
export type JobError = z.infer<typeof JobErrorSchema>;

/** The immutable job record. */
export const JobRecordSchema = z.object({
  id: z.string().regex(JOB_ID_PATTERN),
  payload: z.unknown(),
  createdAt: z.string(),
  maxAttempts: z.number().int().min(1),
  idempotencyKey: z.string().optional(),
  source: z.string().optional(),
});

/** The immutable job record. */
export type JobRecord = z.infer<typeof JobRecordSchema>;

/** The state object: lease and state machine of one job. */
export const JobStateSchema = z.object({
  id: z.string(),
  status: z.enum(JOB_STATUSES),
  /** Number of times the job was started (claims and steals). */
  attempts: z.number().int().min(0),
  /** Lease generation: +1 on every claim or steal, so a stale holder is fenced. */
  epoch: z.number().int().min(0),
  /** Write counter: +1 on every write. */
  hb: z.number().int().min(0),
  /** Random id of the write, so every write has a new ETag (no ABA) and a lost response is
   * recognised by its writer. */
  writeId: z.string().optional(),
  /** Worker holding (or that last held) the lease. */
  owner: z.string().optional(),
  /** Random token of the current claim. */
  token: z.string().optional(),
  /** Lease duration the holder promised to renew within. */
  leaseMs: z.number().int().positive().optional(),
  /** Earliest time of the next claim of a queued job (ISO), after a failed attempt. */
  notBefore: z.string().optional(),
  progress: JobProgressSchema.optional(),
  error: JobErrorSchema.optional(),
  result: z.unknown().optional(),
  updatedAt: z.string(),
});

/** The state object: lease and state machine of one job. */
export type JobState = z.infer<typeof JobStateSchema>;

/** What `Queue.get` reports: the record and the state merged. */
export interface JobStatus {
  /** Job id. */
  id: string;
  /** Current status. */
  status: JobStatusName;
  /** Times started so far. */
  attempts: number;
  /** Most starts allowed before the job fails for good. */
  maxAttempts: number;
  /** Latest reported progress. */
  progress?: JobProgress;
  /** Error of the latest failed attempt (kept when the job finally fails). */
  error?: JobError;
  /** The committed result of a succeeded job. */
  result?: unknown;
  /** What started the job, e.g. the inbox key. */
  source?: string;
  /** The job's input. */
  payload: unknown;
  /** Enqueue time (ISO). */
  createdAt: string;
  /** Time of the latest state change (ISO). */
  updatedAt: string;
}

/** Parses stored JSON with `schema`; throws {@link CorruptRecordError} naming the key. */
export function parseRecord<T>(schema: z.ZodType<T>, bytes: Uint8Array, key: string): T {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new CorruptRecordError(key, `not JSON (${(e as Error).message})`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CorruptRecordError(key, `${issue.path.join(".") || "record"}: ${issue.message}`);
  }
  return parsed.data;
}
