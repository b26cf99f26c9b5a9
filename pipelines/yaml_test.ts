import { assert, assertEquals } from "../testing/assert.ts";
import { DEFAULT_LIMITS, loadYaml } from "./yaml.ts";

Deno.test("loadYaml returns plain values and locates paths", () => {
  const text = "a: 1\nb:\n  c: [x, true, null]\n";
  const { value, errors, source } = loadYaml("f.yaml", text);
  assertEquals(errors, []);
  assertEquals(value, { a: 1, b: { c: ["x", true, null] } });
  const d = source.error(["b", "c", 1], "Cannot x");
  assertEquals([d.line, d.col, d.length, d.path], [3, 10, 4, "b.c[1]"]);
  const key = source.error(["b"], "Cannot y");
  assertEquals([key.line, key.col], [2, 1]);
  const missing = source.error(["b", "nope", "deeper"], "Cannot z");
  assertEquals([missing.line, missing.col], [2, 1]);
});

Deno.test("loadYaml expands a few aliases, pointing errors at the alias", () => {
  const { value, errors, source } = loadYaml("f.yaml", "a: &x {k: 1}\nb: *x\n");
  assertEquals(errors, []);
  assertEquals(value, { a: { k: 1 }, b: { k: 1 } });
  assertEquals(source.error(["b", "k"], "Cannot").line, 2);
});

Deno.test("loadYaml stops alias bombs, deep nesting and oversized input", () => {
  const bomb = "a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n";
  const limits = { ...DEFAULT_LIMITS, maxAliasCount: 10 };
  assert(loadYaml("f", bomb, limits).errors[0].message.includes("more than 10 alias expansions"));
  const nodes = loadYaml("f", bomb, { ...DEFAULT_LIMITS, maxNodes: 20 });
  assert(nodes.errors[0].message.includes("more than 20 values"));
  const deep = loadYaml("f", "a: " + "[".repeat(10) + "]".repeat(10), {
    ...DEFAULT_LIMITS,
    maxDepth: 5,
  });
  assert(deep.errors[0].message.includes("nesting deeper than 5"));
  const big = loadYaml("f", "a: 1\n".repeat(10), { ...DEFAULT_LIMITS, maxLength: 20 });
  assert(big.errors[0].message.includes("over the limit of 20"));
});

Deno.test("loadYaml rejects tags, merge keys, collection keys, __proto__ and infinities", () => {
  const cases: [string, string][] = [
    ["a: !foo 1\n", 'tag "!foo"'],
    ["a: {<<: {b: 1}}\n", "merge keys"],
    ["? [a]\n: 1\n", "keys must be plain scalars"],
    ["__proto__: {polluted: 1}\n", "reserved"],
    ["a: .inf\n", "only finite numbers"],
    ["", "empty document"],
    ["a: 1\n---\nb: 2\n", "expected one document"],
  ];
  for (const [text, expected] of cases) {
    const { errors, value } = loadYaml("f", text);
    assertEquals(value, undefined, text);
    assert(
      errors.some((e) => e.message.includes(expected)),
      `${text}: ${errors.map((e) => e.message)}`,
    );
  }
  assertEquals(({} as Record<string, unknown>).polluted, undefined);
});
