/**
 * A stage's retry policy (`retry: {attempts, backoff, delay}` in the pipeline): failed attempts
 * are logged and retried after the delay; an aborted signal stops at once.
 * @module
 */
import { durationMs, type PlannedStage } from "../../pipelines/mod.ts";
import { formatSeconds } from "./progress_view.ts";

/** Runs `fn` until it succeeds or the stage's attempts are used up. */
export async function withRetries<T>(
  stage: PlannedStage,
  log: (t: string) => void,
  signal: AbortSignal | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  const attempts = stage.retry?.attempts ?? 1;
  for (let attempt = 1;; attempt++) {
    try {
      return await fn();
    } catch (e) {
      signal?.throwIfAborted();
      if (attempt >= attempts) throw e;
      const base = durationMs(stage.retry!.delay);
      const wait = stage.retry!.backoff === "exponential" ? base * 2 ** (attempt - 1) : base;
      log(
        `${stage.id}: attempt ${attempt}/${attempts} failed (${
          e instanceof Error ? e.message : String(e)
        }); retrying in ${formatSeconds(wait / 1000)}\n`,
      );
      await sleep(wait, signal);
    }
  }
}

/** Waits `ms`; rejects with the signal's reason as soon as it aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      if (signal?.aborted) reject(signal.reason);
      else resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
