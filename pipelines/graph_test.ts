import { assertEquals, assertThrows } from "../testing/assert.ts";
import { findCycles, topologicalOrder } from "./graph.ts";

const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges));

Deno.test("topologicalOrder puts dependencies first and otherwise keeps the given order", () => {
  const deps = graph({ report: ["b", "a"], a: ["data"], b: ["data"], data: [] });
  assertEquals(topologicalOrder(["report", "b", "a", "data"], deps), ["data", "b", "a", "report"]);
  assertThrows(() => topologicalOrder(["x", "y"], graph({ x: ["y"], y: ["x"] })), Error, "cycle");
});

Deno.test("findCycles reports each cycle once, from its earliest node", () => {
  const deps = graph({ a: ["b"], b: ["c"], c: ["a"], d: ["d"], e: ["a"], f: ["g"], g: ["f"] });
  assertEquals(findCycles(["e", "c", "b", "a", "d", "f", "g"], deps), [["c", "a", "b"], ["d"], [
    "f",
    "g",
  ]]);
  assertEquals(findCycles(["a", "b"], graph({ a: ["b"], b: [] })), []);
});
