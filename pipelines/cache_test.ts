import { assert, assertEquals, assertNotEquals } from "../testing/assert.ts";
import {
  cacheKey,
  type CacheReader,
  canonicalJson,
  decide,
  type Decision,
  type Fingerprint,
  formatDecisions,
  type HashLookup,
  planRun,
  readRunRecord,
  RunRecord,
  sha256,
  stageRecord,
} from "./cache.ts";
import { recordKey } from "./store_keys.ts";
import type { ObjectStore } from "../infra/store/types.ts";
import { compilePipeline, type Plan } from "./plan.ts";

const PIPELINE = `
version: 1
name: chain
params:
  sigma: { type: float, default: 0.5 }
  root: { type: string, default: "" }
stages:
  synthetic:
    uses: dataset.synthetic_shapes@1
  shapes:
    uses: dataset.modelnet@1
    with:
      root: \${{ params.root }}
      meshes: \${{ stages.synthetic.outputs.meshes }}
  maps:
    uses: spectral.maps@1
    with:
      shapes: \${{ stages.shapes.outputs.shapes }}
  corrupt:
    uses: maps.corrupt@1
    with:
      maps: \${{ stages.maps.outputs.maps }}
      sigma: \${{ params.sigma }}
  features:
    uses: features.extract@1
    with:
      maps: \${{ stages.maps.outputs.maps }}
      source: invariants
  linear:
    uses: classifier.linear@1
    with:
      features: \${{ stages.features.outputs.features }}
  cgml:
    uses: cgml.train@1
    with:
      maps: \${{ stages.maps.outputs.maps }}
      corruption: \${{ stages.corrupt.outputs.recipe }}
  report:
    uses: report.html@1
    cache: false
    with:
      models:
        cgml:
          curves: \${{ stages.cgml.outputs.curves }}
        raw:
          linear: \${{ stages.linear.outputs.metrics }}
`;

class NotFoundError extends Error {
  override name = "NotFoundError";
}

/** An in-memory object store with infra's semantics: a missing key rejects with NotFoundError. */
class MemoryStore implements CacheReader {
  readonly objects = new Map<string, Uint8Array>();
  get(key: string) {
    const body = this.objects.get(key);
    return body === undefined ? Promise.reject(new NotFoundError(key)) : Promise.resolve({ body });
  }
  head(key: string) {
    return this.get(key).then(({ body }) => ({ key, size: body.length }));
  }
  putJson(key: string, value: unknown) {
    this.objects.set(key, new TextEncoder().encode(JSON.stringify(value)));
  }
}

function compile(sets: string[] = []): Plan {
  const result = compilePipeline({ file: "chain.yaml", text: PIPELINE, sets });
  if (result.plan === undefined) throw new Error(result.errors.map((e) => e.message).join("\n"));
  return result.plan;
}

const fingerprint = (path: string) => Promise.resolve(`fp:${path}`);

/** Content of a simulated output: by default it changes whenever the stage's key changes. */
type Produce = (stage: string, output: string, key: string) => string;
const byKey: Produce = (_stage, output, key) => `${key}:${output}`;

/**
 * Does what worker/runner/ does with the planner: decide each stage with the real hashes of
 * its inputs, restore HITs, "run" the rest, store artifacts and records, save the run record.
 */
async function run(plan: Plan, store: MemoryStore, id: string, produce: Produce = byKey) {
  const previous = await readRunRecord(store, plan.name);
  const hashes = new Map<string, Record<string, string>>();
  const hashOf: HashLookup = (stage, output) => hashes.get(stage)?.[output];
  const decisions: Decision[] = [];
  const record: RunRecord = {
    version: 1,
    id,
    pipeline: plan.name,
    params: plan.params,
    stages: {},
  };
  for (const stage of plan.stages) {
    const d = await decide(stage, { store, previous, hashOf, fingerprint });
    decisions.push(d);
    if (d.action === "HIT") {
      hashes.set(
        stage.id,
        Object.fromEntries(Object.entries(d.record!.outputs).map(([k, v]) => [k, v.hash])),
      );
      record.stages[stage.id] = d.record!;
      continue;
    }
    const external = d.external ?? {};
    const key = (await cacheKey(stage, hashOf, external))!;
    const outputs: Record<string, { hash: string; key: string }> = {};
    for (const output of Object.keys(stage.type.outputs)) {
      const hash = await sha256(produce(stage.id, output, key));
      outputs[output] = { hash, key: `artifacts/${hash}` };
      store.putJson(`artifacts/${hash}`, { stage: stage.id, output });
    }
    hashes.set(stage.id, Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.hash])));
    const rec = stageRecord(stage, {
      key,
      hashOf,
      external,
      outputs,
      run: id,
      created: new Date(0),
    });
    record.stages[stage.id] = rec;
    if (stage.cache) store.putJson(recordKey(key), rec);
  }
  store.putJson(`runs/${plan.name}/last.json`, record);
  return decisions;
}

const lines = (ds: Decision[]) =>
  ds.map((d) => `${d.stage} ${d.action} ${d.reason.replace(/key=[0-9a-f]{12}/, "key=…")}`);

Deno.test("first run misses everything; the second hits everything but cache: false", async () => {
  const store = new MemoryStore();
  const plan = compile();
  const dry = await planRun(plan, { store, previous: null, fingerprint });
  assertEquals(lines(dry), [
    "synthetic MISS not cached",
    'shapes MISS upstream "synthetic" will run',
    'maps MISS upstream "shapes" will run',
    'corrupt MISS upstream "maps" will run',
    'features MISS upstream "maps" will run',
    'linear MISS upstream "features" will run',
    'cgml MISS upstream "maps", "corrupt" will run',
    "report RUN cache: false",
  ]);
  const first = await run(plan, store, "r1");
  assertEquals(first.map((d) => d.action), [
    "MISS",
    "MISS",
    "MISS",
    "MISS",
    "MISS",
    "MISS",
    "MISS",
    "RUN",
  ]);
  const second = await run(plan, store, "r2");
  assertEquals(lines(second), [
    ...["synthetic", "shapes", "maps", "corrupt", "features", "linear", "cgml"].map((s) =>
      `${s} HIT key=… (from run r1)`
    ),
    "report RUN cache: false",
  ]);
  assertEquals(lines(await planRun(plan, { store, previous: null, fingerprint })), lines(second));
});

Deno.test("a changed param misses its stage with the old and new value, and only what is downstream", async () => {
  const store = new MemoryStore();
  await run(compile(), store, "r1");
  const changed = compile(["sigma=0.25"]);
  const previous = await readRunRecord(store, "chain");
  const dry = await planRun(changed, { store, previous, fingerprint });
  assertEquals(lines(dry), [
    "synthetic HIT key=… (from run r1)",
    "shapes HIT key=… (from run r1)",
    "maps HIT key=… (from run r1)",
    "corrupt MISS param sigma 0.5 → 0.25",
    "features HIT key=… (from run r1)",
    "linear HIT key=… (from run r1)",
    'cgml MISS upstream "corrupt" changed',
    "report RUN cache: false",
  ]);
  const real = await run(changed, store, "r2");
  assertEquals(lines(real).slice(3, 7), [
    "corrupt MISS param sigma 0.5 → 0.25",
    "features HIT key=… (from run r1)",
    "linear HIT key=… (from run r1)",
    'cgml MISS upstream "corrupt" changed',
  ]);
  const back = await run(compile(), store, "r3");
  assertEquals(lines(back)[3], "corrupt HIT key=… (from run r1)");
});

Deno.test("an upstream that reruns but produces identical content keeps downstream hits", async () => {
  const store = new MemoryStore();
  const sameRecipe: Produce = (stage, output, key) =>
    stage === "corrupt" ? `corrupt:${output}` : `${key}:${output}`;
  await run(compile(), store, "r1", sameRecipe);
  const second = await run(compile(["sigma=0.25"]), store, "r2", sameRecipe);
  assertEquals(lines(second).slice(3, 7), [
    "corrupt MISS param sigma 0.5 → 0.25",
    "features HIT key=… (from run r1)",
    "linear HIT key=… (from run r1)",
    "cgml HIT key=… (from run r1)",
  ]);
});

Deno.test("a new data folder and a missing artifact are misses with reasons", async () => {
  const store = new MemoryStore();
  await run(compile(["root=/data/a"]), store, "r1");
  const moved = await run(compile(["root=/data/b"]), store, "r2");
  assertEquals(lines(moved).slice(0, 3), [
    "synthetic HIT key=… (from run r1)",
    'shapes MISS param root "/data/a" → "/data/b"; files at root changed',
    'maps MISS upstream "shapes" changed',
  ]);
  const maps = moved.find((d) => d.stage === "maps")!;
  const record = JSON.parse(new TextDecoder().decode(store.objects.get(recordKey(maps.key!))!));
  store.objects.delete(record.outputs.maps.key);
  const third = await run(compile(["root=/data/b"]), store, "r3");
  assertEquals(lines(third)[2], 'maps MISS cached output "maps" is missing');
});

Deno.test("changed files under the same root say what changed, as the describer words it", async () => {
  const store = new MemoryStore();
  await run(compile(["root=s3://cgml/datasets/a/"]), store, "r1");
  const previous = await readRunRecord(store, "chain");
  const shapes = compile(["root=s3://cgml/datasets/a/"]).stages.find((s) => s.id === "shapes")!;
  const hashOf: HashLookup = (stage, output) => previous!.stages[stage]?.outputs[output]?.hash;
  const fields: string[] = [];
  const changed: Fingerprint = (path, field) => {
    fields.push(field);
    return Promise.resolve(`dataset:new:${path}`);
  };
  const seen: string[][] = [];
  const describeChange = (before: string, after: string) => {
    seen.push([before, after]);
    return Promise.resolve(before.startsWith("fp:") ? "dataset changed: 3 added, 1 changed" : null);
  };
  const d = await decide(shapes, { store, previous, hashOf, fingerprint: changed, describeChange });
  assertEquals([d.action, d.reason], ["MISS", "dataset changed: 3 added, 1 changed"]);
  assertEquals(fields, ["stages.shapes.with.root"]);
  assertEquals(seen, [["fp:s3://cgml/datasets/a/", "dataset:new:s3://cgml/datasets/a/"]]);
  const plain = await decide(shapes, { store, previous, hashOf, fingerprint: changed });
  assertEquals(plain.reason, "files at root changed");
  const same = await decide(shapes, { store, previous, hashOf, fingerprint, describeChange });
  assertEquals(same.action, "HIT");
  assertEquals(seen.length, 1, "the describer is asked only about changed fingerprints");
});

Deno.test("without a store every stage misses and says why", async () => {
  const ds = await planRun(compile(), { store: null, previous: null, fingerprint });
  assertEquals(ds[0], {
    stage: "synthetic",
    action: "MISS",
    key: ds[0].key,
    reason: "no cache store",
    external: {},
  });
  const text = formatDecisions(compile(), ds);
  assert(text.startsWith("synthetic  dataset.synthetic_shapes@1  MISS no cache store\n"), text);
});

Deno.test("cacheKey covers the stage type, params and input hashes, not key order", async () => {
  const plan = compile();
  const corrupt = plan.stages.find((s) => s.id === "corrupt")!;
  const hashOf: HashLookup = () => "h1";
  const key = (await cacheKey(corrupt, hashOf))!;
  assertEquals(key.length, 64);
  assertEquals(await cacheKey(corrupt, () => undefined), undefined);
  assertNotEquals(await cacheKey(corrupt, () => "h2"), key);
  assertNotEquals(
    await cacheKey({ ...corrupt, params: { ...corrupt.params, seed: 1 } }, hashOf),
    key,
  );
  assertNotEquals(await cacheKey({ ...corrupt, uses: "maps.corrupt@2" }, hashOf), key);
  const reordered = Object.fromEntries(Object.entries(corrupt.params).reverse());
  assertEquals(await cacheKey({ ...corrupt, params: reordered }, hashOf), key);
  assertEquals(
    canonicalJson({ b: [1, { d: null, c: "x" }], a: true }),
    '{"a":true,"b":[1,{"c":"x","d":null}]}',
  );
});

Deno.test("infra's ObjectStore can be passed as a CacheReader", () => {
  const fits = (store: ObjectStore): CacheReader => store;
  assert(typeof fits === "function");
});
