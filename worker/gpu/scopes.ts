/**
 * Tensor scopes: every tensor created while a scope is open is disposed when the scope ends,
 * except the ones it returns (directly, or inside an array, Map or plain object, up to four
 * levels deep) and the ones kept; those move to the enclosing scope.
 * @module
 */
import { Tensor } from "./tensor.ts";

/** The stack of open tensor scopes of one device (see the module doc). */
export class TensorScopes {
  readonly #scopes: Set<Tensor>[] = [];

  /** Runs `fn` in a new scope; an async `fn` is refused. */
  run<T>(fn: () => T): T {
    this.#scopes.push(new Set());
    let result: T;
    try {
      result = fn();
    } catch (e) {
      this.#end(undefined);
      throw e;
    }
    if (result instanceof Promise) {
      throw new TypeError("Cannot use an async function in gpu.scope; use scopeAsync");
    }
    this.#end(result);
    return result;
  }

  /** Runs async `fn` in a new scope, ended when it settles. */
  async runAsync<T>(fn: () => Promise<T>): Promise<T> {
    this.#scopes.push(new Set());
    let result: T;
    try {
      result = await fn();
    } catch (e) {
      this.#end(undefined);
      throw e;
    }
    this.#end(result);
    return result;
  }

  /** Removes tensors from every open scope so they outlive them. */
  keep<T extends Tensor | readonly Tensor[]>(t: T): T {
    const list: readonly Tensor[] = t instanceof Tensor ? [t] : (t as readonly Tensor[]);
    for (const x of list) for (const s of this.#scopes) s.delete(x);
    return t;
  }

  /** Adds a new tensor to the innermost scope, if one is open. */
  track(t: Tensor): void {
    this.#scopes.at(-1)?.add(t);
  }

  /** Removes a disposed tensor from the innermost scope. */
  untrack(t: Tensor): void {
    this.#scopes.at(-1)?.delete(t);
  }

  #end(result: unknown): void {
    const scope = this.#scopes.pop()!;
    const keep = new Set<Tensor>();
    collectTensors(result, keep, 0);
    const parent = this.#scopes.at(-1);
    for (const t of scope) {
      if (keep.has(t)) parent?.add(t);
      else if (!t.disposed) t.dispose();
    }
  }
}

function collectTensors(v: unknown, into: Set<Tensor>, depth: number): void {
  if (depth > 4 || v === null || typeof v !== "object") return;
  if (v instanceof Tensor) {
    into.add(v);
    return;
  }
  if (Array.isArray(v)) {
    for (const x of v) collectTensors(x, into, depth + 1);
    return;
  }
  if (v instanceof Map) {
    for (const x of v.values()) collectTensors(x, into, depth + 1);
    return;
  }
  if (Object.getPrototypeOf(v) === Object.prototype) {
    for (const x of Object.values(v)) collectTensors(x, into, depth + 1);
  }
}
