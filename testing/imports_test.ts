import { assertEquals } from "./assert.ts";
import { checkModule, checkTree, importsOf } from "./imports.ts";

Deno.test("every non-test module's imports follow the layout rules", async () => {
  const root = new URL("..", import.meta.url).pathname;
  const found = await checkTree(root);
  assertEquals(found.map((v) => `${v.file}:${v.line} ${v.specifier}: ${v.rule}`), []);
});

Deno.test("the checker catches each kind of violation", () => {
  const rules = (file: string, src: string) => checkModule(file, src).map((v) => v.rule);
  assertEquals(rules("worker/gpu/a.ts", 'import { x } from "../nn/mod.ts";'), [
    "worker layers point down: worker/gpu may not import worker/nn",
  ]);
  assertEquals(rules("worker/stages/a.ts", 'import { x } from "../nn/layers.ts";'), [
    "other folders only through a mod.ts (worker/nn/mod.ts)",
  ]);
  assertEquals(rules("functions/a.ts", 'import type { X } from "../worker/gpu/mod.ts";'), [
    "functions/ may not import worker/",
  ]);
  assertEquals(rules("infra/a.ts", 'export * from "../pipelines/mod.ts";'), [
    "infra/ may not import pipelines/",
  ]);
  assertEquals(rules("worker/cgml/a.ts", 'import { x } from "./_testing.ts";'), [
    "non-test code imports test code",
  ]);
  assertEquals(rules("worker/stages/a.ts", 'const m = await import("../runner.ts");'), [
    "worker/stages may not import the worker's root",
  ]);
  assertEquals(
    rules(
      "worker/stages/a.ts",
      'import { Rng } from "../lib/mod.ts";\nimport { z } from "zod";\nimport { y } from "./b.ts";',
    ),
    [],
  );
  assertEquals(rules("worker/cgml/a_test.ts", 'import { x } from "../gpu/kernels/matmul.ts";'), []);
});

Deno.test("importsOf reads multi-line, type-only, re-export and dynamic imports with their lines", () => {
  const src = [
    "import {",
    "  a,",
    "  type B,",
    '} from "./a.ts";',
    'export { c } from "../c/mod.ts";',
    'import type { D } from "npm:d";',
    'const e = await import("./e.ts");',
    '// a comment that mentions from "nowhere" is not an import',
  ].join("\n");
  assertEquals(importsOf(src), [
    { specifier: "./a.ts", line: 1 },
    { specifier: "../c/mod.ts", line: 5 },
    { specifier: "npm:d", line: 6 },
    { specifier: "./e.ts", line: 7 },
  ]);
});
