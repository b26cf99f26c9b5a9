import { assert, assertEquals } from "../testing/assert.ts";
import { refText, scanRefs, wholeRef } from "./refs.ts";

Deno.test("scanRefs finds params and stage outputs with their offsets", () => {
  const s = "order ${{ params.order }} of ${{stages.maps.outputs.maps}}";
  const found = scanRefs(s);
  assertEquals(found.map((m) => m.ref), [
    { kind: "param", path: ["order"] },
    { kind: "output", stage: "maps", output: "maps" },
  ]);
  assertEquals(s.slice(found[0].start, found[0].end), "${{ params.order }}");
  assertEquals(found[1].end, s.length);
});

Deno.test("scanRefs rejects expressions, unknown roots and unclosed references", () => {
  const [expr] = scanRefs("${{ params.a + 1 }}");
  assert(expr.error?.includes("only lookups"));
  const [root] = scanRefs("${{ parms.a }}");
  assert(root.error?.includes('did you mean "params"'));
  const [shape] = scanRefs("${{ stages.a.output.b }}");
  assert(shape.error?.includes('did you mean "outputs"'));
  const [open] = scanRefs("x ${{ params.a");
  assert(open.error?.includes('missing closing "}}"'));
  assertEquals(
    scanRefs("${{ params }}")[0].error,
    'Cannot resolve "params": name a param, e.g. params.seed',
  );
});

Deno.test("wholeRef accepts exactly one reference with surrounding spaces", () => {
  assertEquals(wholeRef(" ${{ params.seed }} ")?.ref, { kind: "param", path: ["seed"] });
  assertEquals(wholeRef("a ${{ params.seed }}"), undefined);
  assertEquals(wholeRef("${{ params.a }}${{ params.b }}"), undefined);
  assertEquals(wholeRef("plain"), undefined);
});

Deno.test("refText renders references back", () => {
  assertEquals(refText({ kind: "output", stage: "a", output: "b" }), "${{ stages.a.outputs.b }}");
  assertEquals(refText({ kind: "param", path: ["x", "y"] }), "${{ params.x.y }}");
});
