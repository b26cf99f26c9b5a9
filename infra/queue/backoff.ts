/**
 * Capped exponential backoff with jitter for retrying failed jobs.
 *
 * @module
 */

/** Backoff settings. */
export interface BackoffOptions {
  /** Delay before the second attempt, before jitter. */
  baseMs: number;
  /** Largest delay, before jitter. */
  capMs: number;
  /** Uniform [0, 1) source (default `Math.random`). */
  random?: () => number;
}

/**
 * Delay after failed attempt number `attempt` (1-based): `d = min(cap, base * 2^(attempt-1))`,
 * then "equal jitter" — uniform in `[d/2, d)` — so retries spread out but never come early.
 */
export function retryDelayMs(attempt: number, options: BackoffOptions): number {
  const exp = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  const r = (options.random ?? Math.random)();
  return Math.round(exp / 2 + r * (exp / 2));
}
