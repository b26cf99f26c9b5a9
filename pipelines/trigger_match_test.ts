import { assert, assertEquals } from "../testing/assert.ts";
import { InvalidKeyError, validateKey } from "../infra/mod.ts";
import { JobRequestSchema } from "./jobs.ts";
import { parsePipeline } from "./parse.ts";
import {
  buildIndex,
  indexStoredPipeline,
  keyProblem,
  matchesAnyTrigger,
  matchObject,
  MAX_IDEMPOTENCY_KEY,
  planRefresh,
  scanPrefixes,
  storedPipelineName,
  type TriggerIndex,
  triggerRejectionKey,
} from "./trigger_match.ts";
import { substituteTrigger, triggerValues } from "./triggers.ts";
import { pipelineText } from "./_testing.ts";

const READY = `  - key: datasets/*/_READY
    params:
      data: { csv: "s3://\${{ trigger.bucket }}/\${{ trigger.prefix }}rows.csv" }
      tag: \${{ trigger.key }}
  - key: datasets/**/_READY
    params:
      tag: nested`;

function index(...stored: [string, string][]): TriggerIndex {
  return buildIndex(
    stored.map(([name, triggers]) =>
      indexStoredPipeline(name, `etag-${name}`, pipelineText(name, triggers))
    ),
  );
}

Deno.test("a pipeline with triggers validates and keeps them in file order", () => {
  const parsed = parsePipeline("p.yaml", pipelineText("p", READY));
  assert(parsed.pipeline !== undefined, parsed.errors.map((e) => e.message).join("\n"));
  assertEquals(parsed.pipeline.triggers.map((t) => [t.index, t.pattern.text]), [
    [0, "datasets/*/_READY"],
    [1, "datasets/**/_READY"],
  ]);
});

Deno.test("matchObject: the first matching trigger of each pipeline, params substituted", () => {
  const idx = index(["drop", READY], ["other", "  - key: datasets/shapes/_READY"]);
  const match = matchObject(idx, { bucket: "cgml", key: "datasets/shapes/_READY", etag: '"e1"' });
  assert(match.kind === "matched");
  assertEquals(match.jobs.map((j) => [j.pipeline, j.trigger]), [["drop", 0], ["other", 0]]);
  const [drop, other] = match.jobs;
  assertEquals(drop.values, {
    key: "datasets/shapes/_READY",
    prefix: "datasets/shapes/",
    bucket: "cgml",
  });
  assertEquals(drop.request, {
    pipeline: "drop",
    params: { data: { csv: "s3://cgml/datasets/shapes/rows.csv" }, tag: "datasets/shapes/_READY" },
  });
  assert(JobRequestSchema.safeParse(drop.request).success, "same shape as an inbox request");
  assertEquals(drop.source, "datasets/shapes/_READY");
  assertEquals(drop.idempotencyKey, "trigger:drop:s3:cgml/datasets/shapes/_READY#e1");
  assertEquals(other.request, { pipeline: "other", params: {} });
  const nested = matchObject(idx, { bucket: "cgml", key: "datasets/a/b/_READY", etag: "e1" });
  assert(nested.kind === "matched");
  assertEquals(nested.jobs.map((j) => [j.pipeline, j.trigger, j.request.params]), [
    ["drop", 1, { tag: "nested" }],
  ]);
  const none = matchObject(idx, { bucket: "cgml", key: "datasets/shapes/a.off", etag: "e1" });
  assertEquals(none, { kind: "matched", jobs: [] });
});

Deno.test("the dedup identity is bucket + key + ETag (quotes ignored), per pipeline", () => {
  const idx = index(["drop", READY]);
  const key = (bucket: string, k: string, etag: string) => {
    const m = matchObject(idx, { bucket, key: k, etag });
    assert(m.kind === "matched" && m.jobs.length === 1);
    return m.jobs[0].idempotencyKey;
  };
  const base = key("cgml", "datasets/a/_READY", "e1");
  assertEquals(key("cgml", "datasets/a/_READY", '"e1"'), base);
  assertEquals(key("cgml", "datasets/a/_READY", 'W/"e1"'), base);
  const others = [
    key("cgml", "datasets/a/_READY", "e2"),
    key("other", "datasets/a/_READY", "e1"),
    key("cgml", "datasets/b/_READY", "e1"),
  ];
  assertEquals(new Set([base, ...others]).size, 4);
  const long = key("cgml", `datasets/${"x".repeat(900)}/_READY`, "e1");
  assert(long.length <= MAX_IDEMPOTENCY_KEY && long.startsWith("trigger:drop:sha256:"), long);
  assertEquals(long, key("cgml", `datasets/${"x".repeat(900)}/_READY`, '"e1"'));
  assert(long !== key("cgml", `datasets/${"x".repeat(900)}/_READY`, "e2"));
});

Deno.test("hostile keys, and events without bucket or ETag, start nothing", () => {
  const idx = index(["drop", "  - key: datasets/**/_READY"]);
  const hostile = [
    "",
    "/datasets/a/_READY",
    "datasets/../a/_READY",
    "datasets/./_READY",
    "datasets//_READY",
    "datasets/a\u0000/_READY",
    "datasets/a\n/_READY",
    "datasets\\a/_READY",
    "C:/datasets/_READY",
    "datasets/\ud800/_READY",
    "datasets/${{ params.x }}/_READY",
    `datasets/${"é".repeat(600)}/_READY`,
  ];
  for (const key of hostile) {
    const m = matchObject(idx, { bucket: "cgml", key, etag: "e" });
    assert(m.kind === "refused", JSON.stringify(key));
    assert(m.reason.startsWith("Cannot start a pipeline from key"), m.reason);
  }
  for (const event of [{ bucket: "", etag: "e" }, { bucket: "cgml", etag: '""' }]) {
    const m = matchObject(idx, { ...event, key: "datasets/a/_READY" });
    assertEquals(m.kind, "refused");
  }
});

Deno.test("keyProblem refuses exactly the keys the store refuses (and more, see above)", () => {
  const keys = [
    "a/b",
    "a/b/",
    "/a",
    "a//b",
    "a/./b",
    "..",
    "a\\b",
    "a\u007fb",
    "x".repeat(1025),
    "é".repeat(512),
    "é".repeat(513),
    "D:/x",
    "a b/c+d%2F",
  ];
  for (const key of keys) {
    let store: string | undefined;
    try {
      validateKey(key);
    } catch (e) {
      if (!(e instanceof InvalidKeyError)) throw e;
      store = e.message;
    }
    assertEquals(keyProblem(key) !== undefined, store !== undefined, `${key.slice(0, 20)}`);
  }
});

Deno.test("substitution is one pass: a key holding }} or a reference's text stays text", () => {
  const values = triggerValues("b", "datasets/a}}b/_READY");
  assertEquals(
    substituteTrigger(["${{ trigger.key }}", { x: "p=${{ trigger.prefix }};" }, 3], values),
    ["datasets/a}}b/_READY", { x: "p=datasets/a}}b/;" }, 3],
  );
  const tricky = triggerValues("b", "d/${{ trigger.bucket }}/_READY");
  assertEquals(substituteTrigger("${{ trigger.prefix }}", tricky), "d/${{ trigger.bucket }}/");
});

Deno.test("a stored pipeline that no longer validates keeps its triggers and says why", () => {
  const broken = pipelineText("old", "  - key: datasets/*/_READY").replace(
    "toy.data@1",
    "toy.gone@1",
  );
  const entry = indexStoredPipeline("old", "e", broken);
  assertEquals(entry.triggers.map((t) => t.pattern.text), ["datasets/*/_READY"]);
  assert(entry.problem?.includes("toy.gone"), entry.problem);
  const garbage = indexStoredPipeline("bad", "e", "version: [");
  assertEquals(garbage.triggers, []);
  const plain = indexStoredPipeline("plain", "e", "version: 1\nname: x\nstages: {}\n");
  assertEquals([plain.triggers, plain.problem], [[], undefined]);
});

Deno.test("listing: stored pipeline keys, what to re-read, which prefixes to scan", () => {
  assertEquals(storedPipelineName("pipelines/drop.yaml"), "drop");
  assertEquals(storedPipelineName("pipelines/toy.v2_x-1.yaml"), "toy.v2_x-1");
  for (const key of ["pipelines/a/b.yaml", "pipelines/A.yaml", "pipelines/x.yml", "inbox/x.yaml"]) {
    assertEquals(storedPipelineName(key), undefined, key);
  }
  const a = indexStoredPipeline("a", "e1", pipelineText("a", "  - key: datasets/*/_READY"));
  const b = indexStoredPipeline("b", "e1", pipelineText("b", "  - key: uploads/x/_READY"));
  const refresh = planRefresh([a, b], [{ name: "a", etag: "e1" }, { name: "b", etag: "e2" }, {
    name: "c",
    etag: "e1",
  }]);
  assertEquals(refresh.keep, [a]);
  assertEquals(refresh.read.map((r) => r.name), ["b", "c"]);
  assertEquals(planRefresh([a, b], []).keep, []);
  const prefixes = (...patterns: string[]) =>
    scanPrefixes([
      indexStoredPipeline(
        "p",
        "e",
        pipelineText("p", patterns.map((p) => `  - key: ${p}`).join("\n")),
      ),
    ]);
  assertEquals(prefixes("datasets/*/_READY", "datasets/shapes/_READY", "uploads/a*/m"), [
    "datasets/",
    "uploads/a",
  ]);
  assertEquals(prefixes("datasets/a*/_READY", "datasets/ab/_READY", "datasets2/x/_READY"), [
    "datasets/a",
    "datasets2/x/_READY",
  ]);
  const idx = buildIndex([a, b, indexStoredPipeline("none", "e", "version: 1\n")]);
  assertEquals(idx.pipelines.map((p) => p.name), ["a", "b"]);
  assertEquals(idx.prefixes, ["datasets/", "uploads/x/_READY"]);
  assert(matchesAnyTrigger(idx, "datasets/q/_READY"));
  assert(!matchesAnyTrigger(idx, "datasets/q/r.off"));
  assert(!matchesAnyTrigger(idx, "uploads/x/_READY.bak"));
});

Deno.test("rejection notes stay under the key limit", () => {
  assertEquals(
    triggerRejectionKey("p", "datasets/a/_READY"),
    "triggers-rejected/p/datasets/a/_READY.json",
  );
  const long = triggerRejectionKey("p", `datasets/${"x".repeat(1000)}/_READY`);
  assert(/^triggers-rejected\/p\/sha256-[0-9a-f]{64}\.json$/.test(long), long);
  validateKey(long);
});
