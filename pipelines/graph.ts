/**
 * Stage graphs: cycle detection and a stable topological order.
 *
 * @module
 */

/** Edges from each node to the nodes it depends on. */
export type DependencyGraph = ReadonlyMap<string, readonly string[]>;

/**
 * Every cycle, one per strongly connected component, as the list of nodes along it (first node
 * = earliest in `order`; the cycle closes back on it). Self-loops are cycles of one node.
 */
export function findCycles(order: readonly string[], deps: DependencyGraph): string[][] {
  const rank = new Map(order.map((id, i) => [id, i]));
  const components = stronglyConnected(order, deps);
  const cycles: string[][] = [];
  for (const component of components) {
    const members = new Set(component);
    const start = component.reduce((a, b) => (rank.get(a)! <= rank.get(b)! ? a : b));
    const selfLoop = (deps.get(start) ?? []).includes(start);
    if (component.length === 1 && !selfLoop) continue;
    cycles.push(
      selfLoop && component.length === 1 ? [start] : pathBack(start, members, deps, rank),
    );
  }
  return cycles.sort((a, b) => rank.get(a[0])! - rank.get(b[0])!);
}

/** Dependencies first; among nodes that are ready, the earliest in `order` goes first. */
export function topologicalOrder(order: readonly string[], deps: DependencyGraph): string[] {
  const rank = new Map(order.map((id, i) => [id, i]));
  const waiting = new Map(order.map((id) => [id, new Set(deps.get(id) ?? [])]));
  const out: string[] = [];
  while (waiting.size > 0) {
    let next: string | undefined;
    for (const [id, pending] of waiting) {
      if (pending.size === 0 && (next === undefined || rank.get(id)! < rank.get(next)!)) next = id;
    }
    if (next === undefined) throw new Error("Cannot order stages: the graph has a cycle");
    waiting.delete(next);
    for (const pending of waiting.values()) pending.delete(next);
    out.push(next);
  }
  return out;
}

function pathBack(
  start: string,
  members: ReadonlySet<string>,
  deps: DependencyGraph,
  rank: ReadonlyMap<string, number>,
): string[] {
  const parent = new Map<string, string>();
  const queue = [start];
  const seen = new Set([start]);
  while (queue.length > 0) {
    const node = queue.shift()!;
    const next = [...(deps.get(node) ?? [])].filter((d) => members.has(d))
      .sort((a, b) => rank.get(a)! - rank.get(b)!);
    for (const d of next) {
      if (d === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(parent.get(path[0])!);
        return path;
      }
      if (seen.has(d)) continue;
      seen.add(d);
      parent.set(d, node);
      queue.push(d);
    }
  }
  return [start];
}

function stronglyConnected(order: readonly string[], deps: DependencyGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let counter = 0;
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of deps.get(v) ?? []) {
      if (!index.has(w)) {
        if (!deps.has(w)) continue;
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      out.push(component);
    }
  };
  for (const v of order) if (!index.has(v)) visit(v);
  return out;
}
