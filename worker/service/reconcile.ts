/**
 * The reconcile scan: lists `inbox/` and the prefixes that stored pipelines' triggers watch, and
 * submits every object not seen yet ({@link submitObjectEvent}), so stores without notifications
 * (the filesystem store) and lost webhook deliveries still start jobs. Deduplication with the
 * webhook is the queue's idempotency key (bucket + key + ETag); an in-memory note of each key's
 * size and time spares repeated reads (and repeated rejection notes) within one process.
 *
 * @module
 */

import {
  INBOX_PREFIX,
  isInboxRequest,
  matchesAnyTrigger,
  type ObjectEventDeps,
  type ObjectEventOutcome,
  submitObjectEvent,
} from "../../pipelines/mod.ts";

/** Counts of one scan. */
export interface ScanReport {
  enqueued: number;
  existing: number;
  rejected: number;
  skipped: number;
}

/** Scans the inbox and the triggers' prefixes; keep one instance per process. */
export class InboxReconciler {
  #deps: ObjectEventDeps;
  #seen = new Map<string, string>();

  /** Creates a reconciler over the store, queue, bucket and trigger index of `deps`. */
  constructor(deps: ObjectEventDeps) {
    this.#deps = deps;
  }

  /** Submits every inbox request and triggering object changed since the last scan. */
  async scan(): Promise<ScanReport> {
    const report: ScanReport = { enqueued: 0, existing: 0, rejected: 0, skipped: 0 };
    const present = new Set<string>();
    const index = await this.#deps.triggers.current(this.#deps.store);
    const wanted = (key: string) => isInboxRequest(key) || matchesAnyTrigger(index, key);
    for (const prefix of [INBOX_PREFIX, ...index.prefixes]) {
      let startAfter: string | undefined;
      do {
        const page = await this.#deps.store.list(prefix, { startAfter, limit: 1000 });
        for (const item of page.items) {
          if (present.has(item.key) || !wanted(item.key)) continue;
          present.add(item.key);
          const signature = `${item.size}:${item.lastModified.getTime()}`;
          if (this.#seen.get(item.key) === signature) {
            report.skipped++;
            continue;
          }
          if (count(report, await submitObjectEvent(this.#deps, item.key))) {
            this.#seen.set(item.key, signature);
          }
        }
        startAfter = page.next;
      } while (startAfter);
    }
    for (const key of this.#seen.keys()) if (!present.has(key)) this.#seen.delete(key);
    return report;
  }
}

/** Adds an outcome to the report; whether the object was settled (no need to read it again). */
function count(report: ScanReport, outcome: ObjectEventOutcome): boolean {
  switch (outcome.kind) {
    case "enqueued":
      report[outcome.created ? "enqueued" : "existing"]++;
      return true;
    case "rejected":
      report.rejected++;
      return true;
    case "refused":
      return true;
    case "triggered":
      for (const job of outcome.jobs) {
        if (job.kind === "enqueued") report[job.created ? "enqueued" : "existing"]++;
        else report.rejected++;
      }
      return true;
    default:
      return false;
  }
}
