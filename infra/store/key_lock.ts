/**
 * Striped write locks for the filesystem store: an in-process queue per stripe (so waiters do not
 * pile up on blocking threads) plus an exclusive `flock` on a stripe file (so several processes
 * sharing one store directory exclude each other; the OS drops the lock if a process dies).
 *
 * @module
 */

/** Number of lock stripes; every process sharing a store must use the same count. */
export const LOCK_STRIPES = 64;

/** Per-key mutual exclusion across tasks and processes, keyed by a hash stripe of the key. */
export class KeyLocks {
  #dir: string;
  #tails = new Map<number, Promise<void>>();

  /** Uses lock files `<dir>/<stripe>.lock`; `dir` must exist. */
  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Runs `fn` while holding the lock of `key`'s stripe. */
  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const stripe = stripeOf(key);
    const previous = this.#tails.get(stripe) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => release = resolve);
    const tail = previous.then(() => mine);
    this.#tails.set(stripe, tail);
    await previous;
    try {
      using file = await Deno.open(`${this.#dir}/${stripe}.lock`, { create: true, write: true });
      await file.lock(true);
      try {
        return await fn();
      } finally {
        await file.unlock();
      }
    } finally {
      release();
      if (this.#tails.get(stripe) === tail) this.#tails.delete(stripe);
    }
  }
}

/** FNV-1a hash of the key, reduced to a stripe index. */
function stripeOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % LOCK_STRIPES;
}
