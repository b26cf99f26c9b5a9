/**
 * Bounded concurrency for store calls: at most `limit` tasks in flight, the first failure stops
 * new tasks from starting, and the pool settles only when every started task has.
 *
 * @module
 */

/**
 * Runs `fn` on every item with at most `limit` calls at once and returns the results in item
 * order. After the first rejection no new call starts; once the running ones settle, that first
 * error is thrown (so nothing is left running behind the caller's back).
 */
export async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`Cannot run with concurrency ${limit}: it must be an integer >= 1`);
  }
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | null = null;
  const lane = async () => {
    while (failure === null && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i], i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure !== null) throw (failure as { error: unknown }).error;
  return results;
}
