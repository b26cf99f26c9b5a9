/**
 * The queue's startup self-check: a store that ignores conditional writes would let two workers
 * claim one job, so the queue refuses to run on it.
 *
 * @module
 */

import { NotFoundError, PreconditionFailedError } from "../store/errors.ts";
import type { ObjectStore } from "../store/types.ts";
import { QueueError } from "./errors.ts";

/**
 * Probes `store` under `prefix` and throws {@link QueueError} unless it enforces
 * `If-None-Match: *` on an existing key, `If-Match` with a wrong ETag, and `If-Match` on a
 * missing key (which must not create it). Cleans up its probe objects.
 */
export async function assertConditionalWrites(store: ObjectStore, prefix: string): Promise<void> {
  const key = `${prefix}probe/${crypto.randomUUID()}`;
  const missing = `${key}-missing`;
  const refuse = (what: string): never => {
    throw new QueueError(
      `Cannot start the queue: the ${store.kind} store does not enforce conditional writes (${what}); ` +
        "MinIO needs RELEASE.2025-09-07T16-13-09Z or newer",
    );
  };
  const expectLoss = async (what: string, write: () => Promise<unknown>) => {
    try {
      await write();
    } catch (e) {
      if (e instanceof PreconditionFailedError) return;
      throw e;
    }
    refuse(what);
  };
  try {
    const { etag } = await store.put(key, "probe-1", { ifNoneMatch: "*" });
    await expectLoss(
      "If-None-Match: * overwrote an existing object",
      () => store.put(key, "probe-2", { ifNoneMatch: "*" }),
    );
    const wrong = etag === "0".repeat(32) ? "1".repeat(32) : "0".repeat(32);
    await expectLoss(
      "If-Match with a wrong ETag was accepted",
      () => store.put(key, "probe-3", { ifMatch: wrong }),
    );
    await expectLoss(
      "If-Match on a missing key was accepted",
      () => store.put(missing, "probe-4", { ifMatch: etag }),
    );
    try {
      await store.head(missing);
      refuse("If-Match on a missing key created it");
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
  } finally {
    await Promise.all([store.delete(key), store.delete(missing)]);
  }
}
