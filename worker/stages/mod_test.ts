import { assertEquals } from "../../testing/assert.ts";
import { CATALOG } from "../../pipelines/mod.ts";
import { STAGES } from "./mod.ts";

Deno.test("every catalog stage type has exactly one implementation", () => {
  const declared = [...new Set([...CATALOG.values()].map((t) => t.name))].sort();
  assertEquals(Object.keys(STAGES).sort(), declared);
});
