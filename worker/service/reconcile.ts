/**
 * The reconcile scan: lists `inbox/` and submits every request object not seen yet, so stores
 * without notifications (the filesystem store) and lost webhook deliveries still start jobs.
 * Deduplication with the webhook is the queue's idempotency key (bucket + key + ETag); an
 * in-memory note of each key's size and time spares repeated reads within one process.
 *
 * @module
 */

import {
  INBOX_PREFIX,
  type InboxDeps,
  isInboxRequest,
  submitInboxObject,
} from "../../pipelines/mod.ts";

/** Counts of one scan. */
export interface ScanReport {
  enqueued: number;
  existing: number;
  rejected: number;
  skipped: number;
}

/** Scans the inbox; keep one instance per process. */
export class InboxReconciler {
  #deps: InboxDeps;
  #seen = new Map<string, string>();

  /** Creates a reconciler over the store, queue and bucket of `deps`. */
  constructor(deps: InboxDeps) {
    this.#deps = deps;
  }

  /** Submits every inbox request changed since the last scan. */
  async scan(): Promise<ScanReport> {
    const report: ScanReport = { enqueued: 0, existing: 0, rejected: 0, skipped: 0 };
    let startAfter: string | undefined;
    const present = new Set<string>();
    do {
      const page = await this.#deps.store.list(INBOX_PREFIX, { startAfter, limit: 1000 });
      for (const item of page.items) {
        if (!isInboxRequest(item.key)) continue;
        present.add(item.key);
        const signature = `${item.size}:${item.lastModified.getTime()}`;
        if (this.#seen.get(item.key) === signature) {
          report.skipped++;
          continue;
        }
        const outcome = await submitInboxObject(this.#deps, item.key);
        if (outcome.kind === "enqueued") report[outcome.created ? "enqueued" : "existing"]++;
        else if (outcome.kind === "rejected") report.rejected++;
        if (outcome.kind === "enqueued" || outcome.kind === "rejected") {
          this.#seen.set(item.key, signature);
        }
      }
      startAfter = page.next;
    } while (startAfter);
    for (const key of this.#seen.keys()) if (!present.has(key)) this.#seen.delete(key);
    return report;
  }
}
