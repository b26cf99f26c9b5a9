/**
 * The shipped pipelines written with `matrix:` plan exactly what their fully written-out forms
 * (`testdata/expanded/`, the files as they were before matrices) plan: the same stages (ids
 * renamed, e.g. `eval_l1` → `eval.l1`), each with the same type, params, inputs, dependencies,
 * retry and cache policy, and the same cache key. Keys are computed with each output's content
 * hash standing in as a hash of its stage's key, so a key depends on everything upstream.
 */

import { assert, assertEquals } from "../testing/assert.ts";
import { cacheKey, sha256 } from "./cache.ts";
import { formatDiagnostics } from "./diagnostics.ts";
import { isOutputRef } from "./parse.ts";
import { compilePipeline, type InputValue, type Plan } from "./plan.ts";

interface Case {
  name: string;
  /** New id of each stage id of the written-out form. */
  rename: (id: string) => string;
  sets?: string[];
}

const modelnet = (id: string) =>
  id.replace(/^(cgml|l1|cvae|ce)$/, "train.$1").replace(/^(eval|features|linear)_/, "$1.");

const mnist = (id: string) =>
  id.replace(/^task_(p0\d)$/, "task.$1").replace(/^(cgml|l1|ce)_(p0\d)$/, "train.$1.$2")
    .replace(/^eval_(\w+)_(p0\d)$/, "eval.$1.$2");

const colorize = (id: string) => id.replace(/^(cgml|l1)$/, "train.$1").replace(/^eval_/, "eval.");

const CASES: Case[] = [
  { name: "modelnet-zernike.yaml", rename: modelnet },
  { name: "modelnet-zernike.yaml", rename: modelnet, sets: ["seed=3", "backbone.epochs=2"] },
  { name: "modelnet-sh.yaml", rename: modelnet },
  { name: "mnist-completion.yaml", rename: mnist },
  { name: "mnist-completion.yaml", rename: mnist, sets: ["k=4", "cgml.beta=10"] },
  { name: "colorize.yaml", rename: colorize },
];

async function plan(url: URL, file: string, sets: string[]): Promise<Plan> {
  const result = compilePipeline({ file, text: await Deno.readTextFile(url), sets });
  assert(result.plan !== undefined, formatDiagnostics(result.errors, result.sources));
  return result.plan;
}

/** Cache keys of every stage, each output's hash derived from its producer's key. */
async function keys(plan: Plan): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const hashes = new Map<string, string>();
  for (const stage of plan.stages) {
    const key = await cacheKey(stage, (s, o) => hashes.get(`${s}/${o}`));
    assert(key !== undefined, `${stage.id}: an input has no hash`);
    out.set(stage.id, key);
    for (const output of Object.keys(stage.type.outputs)) {
      hashes.set(`${stage.id}/${output}`, await sha256(`${key}/${output}`));
    }
  }
  return out;
}

function renamed(v: InputValue, rename: (id: string) => string): InputValue {
  if (isOutputRef(v)) return { ...v, stage: rename(v.stage) };
  return Object.fromEntries(Object.entries(v).map(([k, c]) => [k, renamed(c, rename)]));
}

for (const c of CASES) {
  const label = `${c.name}${c.sets ? ` --set ${c.sets.join(" ")}` : ""}`;
  Deno.test(`matrix form of ${label} plans the written-out form's stages and cache keys`, async () => {
    const rename = c.rename;
    const sets = c.sets ?? [];
    const before = await plan(
      new URL(`testdata/expanded/${c.name}`, import.meta.url),
      c.name,
      sets,
    );
    const after = await plan(new URL(c.name, import.meta.url), c.name, sets);
    assert(after.stages.some((s) => s.id.includes(".")), "the new form uses expanded ids");
    assertEquals(
      before.stages.map((s) => rename(s.id)).sort(),
      after.stages.map((s) => s.id).sort(),
    );
    assertEquals(after.params, before.params);
    assertEquals(
      Object.fromEntries(Object.entries(after.outputs)),
      Object.fromEntries(
        Object.entries(before.outputs).map(([k, v]) => [k, { ...v, stage: rename(v.stage) }]),
      ),
    );
    const byId = new Map(after.stages.map((s) => [s.id, s]));
    const keysBefore = await keys(before);
    const keysAfter = await keys(after);
    for (const old of before.stages) {
      const id = rename(old.id);
      const now = byId.get(id)!;
      assertEquals(
        { ...now, deps: [...now.deps].sort() },
        {
          ...old,
          id,
          inputs: renamed(old.inputs as InputValue, rename),
          deps: old.deps.map(rename).sort(),
        },
        `${old.id} → ${id}`,
      );
      assertEquals(keysAfter.get(id), keysBefore.get(old.id), `cache key of ${old.id} → ${id}`);
    }
  });
}

Deno.test("the written-out fixtures differ from the shipped files (they are the old forms)", async () => {
  for (const name of new Set(CASES.map((c) => c.name))) {
    const old = await Deno.readTextFile(new URL(`testdata/expanded/${name}`, import.meta.url));
    const now = await Deno.readTextFile(new URL(name, import.meta.url));
    assert(!old.includes("matrix:") && now.includes("matrix:"), name);
  }
});
