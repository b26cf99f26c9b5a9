import { assert, assertEquals } from "../testing/assert.ts";
import { outputRef, refText, scanRefs, wholeRef } from "./refs.ts";

Deno.test("scanRefs finds params and stage outputs with their offsets", () => {
  const s = "order ${{ params.order }} of ${{stages.maps.outputs.maps}}";
  const found = scanRefs(s);
  assertEquals(found.map((m) => m.ref), [
    { kind: "param", path: ["order"] },
    outputRef("maps", "maps"),
  ]);
  assertEquals(s.slice(found[0].start, found[0].end), "${{ params.order }}");
  assertEquals(found[1].end, s.length);
});

Deno.test("scanRefs reads matrix values, dotted ids, [matrix.<key>] parts and a final *", () => {
  const refs = scanRefs(
    "${{ matrix.run.momentum }} ${{ stages.train.l1.p01.outputs.model }} " +
      "${{ stages.train[matrix.model][ matrix.rate ].outputs.curves }} " +
      "${{ stages.train.cgml[matrix.rate].outputs.model }} ${{ stages.eval.*.outputs.metrics }}",
  ).map((m) => m.ref);
  assertEquals(refs[0], { kind: "matrix", path: ["run", "momentum"] });
  assertEquals(refs[1], outputRef("train.l1.p01", "model"));
  assertEquals(refs[2], {
    kind: "output",
    stage: "train[matrix.model][matrix.rate]",
    parts: [{ name: "train" }, { matrix: ["model"] }, { matrix: ["rate"] }],
    output: "curves",
  });
  assertEquals(refs[3], {
    kind: "output",
    stage: "train.cgml[matrix.rate]",
    parts: [{ name: "train" }, { name: "cgml" }, { matrix: ["rate"] }],
    output: "model",
  });
  assertEquals(refs[4], {
    kind: "output",
    stage: "eval.*",
    parts: [{ name: "eval" }, { all: true }],
    output: "metrics",
  });
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
  assertEquals(
    scanRefs("${{ matrix }}")[0].error,
    'Cannot resolve "matrix": name a key, e.g. matrix.model',
  );
  assert(scanRefs("${{ stages.a.*.b.outputs.c }}")[0].error?.includes('"*" can only end'));
  assert(scanRefs("${{ stages.a[params.x].outputs.c }}")[0].error?.includes("expected stages"));
  assert(scanRefs("${{ stages.*.outputs.c }}")[0].error?.includes("expected stages"));
});

Deno.test("wholeRef accepts exactly one reference with surrounding spaces", () => {
  assertEquals(wholeRef(" ${{ params.seed }} ")?.ref, { kind: "param", path: ["seed"] });
  assertEquals(wholeRef("a ${{ params.seed }}"), undefined);
  assertEquals(wholeRef("${{ params.a }}${{ params.b }}"), undefined);
  assertEquals(wholeRef("plain"), undefined);
});

Deno.test("refText renders references back", () => {
  assertEquals(refText(outputRef("a", "b")), "${{ stages.a.outputs.b }}");
  assertEquals(refText(outputRef("train.l1", "model")), "${{ stages.train.l1.outputs.model }}");
  assertEquals(refText({ kind: "param", path: ["x", "y"] }), "${{ params.x.y }}");
  assertEquals(refText({ kind: "matrix", path: ["model"] }), "${{ matrix.model }}");
});
