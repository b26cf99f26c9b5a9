/**
 * Store wrappers for tests: a forwarding wrapper, and faults for code built on conditional writes.
 *
 * @module
 */

import { StoreUnavailableError } from "./errors.ts";
import type { ObjectStore, PutBody, PutOptions, PutResult } from "./types.ts";

type Put = (key: string, body: PutBody, options?: PutOptions) => Promise<PutResult>;

/** A store that forwards every call to `store`, except the methods given in `overrides`. */
export function wrapStore(store: ObjectStore, overrides: Partial<ObjectStore> = {}): ObjectStore {
  return {
    kind: store.kind,
    get: (key) => store.get(key),
    getStream: (key) => store.getStream(key),
    head: (key) => store.head(key),
    put: (key, body, options) => store.put(key, body, options),
    delete: (key) => store.delete(key),
    list: (prefix, options) => store.list(prefix, options),
    presignGet: (key, s) => store.presignGet(key, s),
    presignPut: (key, s) => store.presignPut(key, s),
    notifications: store.notifications,
    ...overrides,
  };
}

function withPut(store: ObjectStore, put: Put): ObjectStore {
  return wrapStore(store, { put });
}

/** A store that silently drops `ifMatch`/`ifNoneMatch` on the keys `affects` selects (a broken backend). */
export function ignoreConditions(
  store: ObjectStore,
  affects: (key: string) => boolean = () => true,
): ObjectStore {
  return withPut(store, (key, body, options = {}) => {
    if (!affects(key)) return store.put(key, body, options);
    const { ifMatch: _m, ifNoneMatch: _n, ...rest } = options;
    return store.put(key, body, rest);
  });
}

/**
 * A store whose writes selected by `lose` land but then fail with `StoreUnavailableError`, as if
 * the response was lost on the network.
 */
export function loseResponses(
  store: ObjectStore,
  lose: (key: string, options: PutOptions) => boolean,
): ObjectStore {
  return withPut(store, async (key, body, options = {}) => {
    const result = await store.put(key, body, options);
    if (lose(key, options)) {
      throw new StoreUnavailableError(`Cannot write ${key}: connection reset (injected)`);
    }
    return result;
  });
}
