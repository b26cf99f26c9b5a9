/**
 * Golden-file tests of error output: each `testdata/<name>.yaml` is validated and the rendered
 * errors are compared with `testdata/<name>.golden`. Run with `UPDATE_GOLDEN=1` to rewrite them.
 */

import { assert, assertEquals } from "../testing/assert.ts";
import { formatDiagnostics } from "./diagnostics.ts";
import { compilePipeline } from "./plan.ts";

const dir = new URL("./testdata/", import.meta.url);
const update = Deno.env.get("UPDATE_GOLDEN") === "1";
const cases = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".yaml"))
  .sort();

Deno.test("golden: every case has a golden file", () => {
  assert(cases.length >= 9, `expected at least 9 cases, found ${cases.length}`);
});

for (const name of cases) {
  Deno.test(`golden: ${name}`, async () => {
    const file = `testdata/${name}`;
    const text = await Deno.readTextFile(new URL(name, dir));
    const result = compilePipeline({ file, text });
    assert(result.plan === undefined, `${name} should not validate`);
    const actual = formatDiagnostics(result.errors, result.sources);
    const golden = new URL(name.replace(/\.yaml$/, ".golden"), dir);
    if (update) await Deno.writeTextFile(golden, actual);
    assertEquals(actual, await Deno.readTextFile(golden));
  });
}
