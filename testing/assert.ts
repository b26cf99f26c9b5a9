/**
 * Small assertion helpers for tests (JSR's `@std/assert` is not reachable here).
 *
 * Messages follow Deno std's style: they say what was expected and what was found.
 */

/** Error thrown by every failed assertion. */
export class AssertionError extends Error {
  override name = "AssertionError";
}

/** Throws unless `cond` is truthy. */
export function assert(cond: unknown, msg = "Assertion failed"): asserts cond {
  if (!cond) throw new AssertionError(msg);
}

/** Deep structural equality for JSON-like values, typed arrays, Maps and Sets. */
export function equal(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = a as unknown as ArrayLike<unknown>;
    const y = b as unknown as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !equal(v, b.get(k))) return false;
    return true;
  }
  if (a instanceof Set && b instanceof Set) {
    if (a.size !== b.size) return false;
    for (const v of a) if (!b.has(v)) return false;
    return true;
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(rb, k) && equal(ra[k], rb[k]));
}

function show(v: unknown): string {
  try {
    return Deno.inspect(v, { depth: 6, iterableLimit: 20 });
  } catch {
    return String(v);
  }
}

/** Throws unless `actual` deep-equals `expected`. */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  if (!equal(actual, expected)) {
    throw new AssertionError(
      `${msg ? msg + ": " : ""}values are not equal\n  actual:   ${show(actual)}\n  expected: ${
        show(expected)
      }`,
    );
  }
}

/** Throws if `actual` deep-equals `expected`. */
export function assertNotEquals<T>(actual: T, expected: T, msg?: string): void {
  if (equal(actual, expected)) {
    throw new AssertionError(`${msg ? msg + ": " : ""}expected values to differ: ${show(actual)}`);
  }
}

/** Throws unless |actual - expected| <= tol. */
export function assertAlmostEquals(actual: number, expected: number, tol = 1e-7, msg?: string) {
  if (!(Math.abs(actual - expected) <= tol)) {
    throw new AssertionError(
      `${msg ? msg + ": " : ""}expected ${expected} ± ${tol}, got ${actual} (diff ${
        Math.abs(actual - expected)
      })`,
    );
  }
}

/**
 * Element-wise closeness: |a - b| <= atol + rtol * |b| for every index.
 * Names the worst index on failure.
 */
export function assertAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  opts: { atol?: number; rtol?: number; msg?: string } = {},
): void {
  const { atol = 1e-5, rtol = 1e-4, msg } = opts;
  const prefix = msg ? msg + ": " : "";
  if (actual.length !== expected.length) {
    throw new AssertionError(`${prefix}length ${actual.length} != expected ${expected.length}`);
  }
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    throw new AssertionError(
      `${prefix}arrays differ at index ${worst}: actual ${actual[worst]}, expected ${
        expected[worst]
      } (atol ${atol}, rtol ${rtol})`,
    );
  }
}

/** Throws unless `fn` throws an error of class `cls` whose message includes `includes`. */
export function assertThrows(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any
  cls: new (...args: any[]) => Error = Error,
  includes?: string,
): Error {
  try {
    fn();
  } catch (e) {
    return checkError(e, cls, includes);
  }
  throw new AssertionError("Expected function to throw");
}

/** Async version of {@link assertThrows}. */
export async function assertRejects(
  fn: () => Promise<unknown>,
  // deno-lint-ignore no-explicit-any
  cls: new (...args: any[]) => Error = Error,
  includes?: string,
): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    return checkError(e, cls, includes);
  }
  throw new AssertionError("Expected promise to reject");
}

// deno-lint-ignore no-explicit-any
function checkError(e: unknown, cls: new (...args: any[]) => Error, includes?: string): Error {
  if (!(e instanceof cls)) {
    throw new AssertionError(`Expected error of class ${cls.name}, got ${show(e)}`);
  }
  if (includes !== undefined && !e.message.includes(includes)) {
    throw new AssertionError(
      `Expected error message to include ${JSON.stringify(includes)}, got ${
        JSON.stringify(e.message)
      }`,
    );
  }
  return e;
}
