/**
 * Loading the trigger index from the store: list `pipelines/`, HEAD each stored pipeline, read
 * only those new or changed since the last load (by ETag), and index their triggers.
 * {@link TriggerIndexCache} keeps one index per process and reloads it when it is older than
 * `maxAgeMs` or after {@link TriggerIndexCache.invalidate} (a stored pipeline was written).
 *
 * @module
 */

import type { ObjectStore } from "../infra/mod.ts";
import { isNotFound } from "./cache.ts";
import { MAX_PIPELINE_BYTES, PIPELINES_PREFIX } from "./jobs.ts";
import {
  buildIndex,
  type IndexedPipeline,
  indexStoredPipeline,
  planRefresh,
  storedPipelineName,
  type TriggerIndex,
} from "./trigger_match.ts";

/** Lists, reads and indexes the stored pipelines; entries of `previous` are reused by ETag. */
export async function loadTriggerIndex(
  store: ObjectStore,
  previous: readonly IndexedPipeline[] = [],
): Promise<{ index: TriggerIndex; entries: IndexedPipeline[] }> {
  const listed: { name: string; etag: string }[] = [];
  let startAfter: string | undefined;
  do {
    const page = await store.list(PIPELINES_PREFIX, { startAfter, limit: 1000 });
    for (const item of page.items) {
      const name = storedPipelineName(item.key);
      if (name === undefined) continue;
      try {
        listed.push({ name, etag: (await store.head(item.key)).etag });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    startAfter = page.next;
  } while (startAfter);
  const { keep, read } = planRefresh(previous, listed);
  const entries = [...keep];
  for (const { name } of read) {
    const key = `${PIPELINES_PREFIX}${name}.yaml`;
    try {
      const obj = await store.get(key);
      if (obj.size > MAX_PIPELINE_BYTES) {
        const problem = `Cannot read ${key}: over ${MAX_PIPELINE_BYTES} bytes`;
        entries.push({ name, etag: obj.etag, triggers: [], problem });
        continue;
      }
      entries.push(indexStoredPipeline(name, obj.etag, new TextDecoder().decode(obj.body)));
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  return { index: buildIndex(entries), entries };
}

/** Options of {@link TriggerIndexCache}. */
export interface TriggerIndexCacheOptions {
  /** Reload after this long (default 10 000 ms). */
  maxAgeMs?: number;
  /** Clock in ms (default `performance.now`). */
  now?: () => number;
}

/** One trigger index per process, shared by the webhook and the scan. */
export class TriggerIndexCache {
  #entries: IndexedPipeline[] = [];
  #index?: TriggerIndex;
  #loadedAt = -Infinity;
  #generation = 0;
  #loading?: { generation: number; promise: Promise<TriggerIndex> };
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  /** Creates an empty cache; the first {@link current} loads. */
  constructor(options: TriggerIndexCacheOptions = {}) {
    this.#maxAgeMs = options.maxAgeMs ?? 10_000;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Makes the next {@link current} reload (call it when a stored pipeline was written). */
  invalidate(): void {
    this.#generation++;
    this.#loadedAt = -Infinity;
  }

  /**
   * The index, reloaded first when stale. Concurrent callers share one load; a load that began
   * before an {@link invalidate} is not shared with callers that come after it.
   */
  current(store: ObjectStore): Promise<TriggerIndex> {
    if (this.#index !== undefined && this.#now() - this.#loadedAt < this.#maxAgeMs) {
      return Promise.resolve(this.#index);
    }
    const loading = this.#loading;
    if (loading !== undefined && loading.generation === this.#generation) return loading.promise;
    const generation = this.#generation;
    const after = loading?.promise.catch(() => undefined) ?? Promise.resolve();
    const promise = after.then(() => this.#load(store, generation)).finally(() => {
      if (this.#loading?.promise === promise) this.#loading = undefined;
    });
    this.#loading = { generation, promise };
    return promise;
  }

  async #load(store: ObjectStore, generation: number): Promise<TriggerIndex> {
    const started = this.#now();
    const { index, entries } = await loadTriggerIndex(store, this.#entries);
    this.#entries = entries;
    this.#index = index;
    if (generation === this.#generation) this.#loadedAt = started;
    return index;
  }
}
