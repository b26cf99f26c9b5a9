/**
 * [real S3] Training on a dataset in the bucket: ModelNet-layout OFF meshes uploaded by plain
 * HTTP PUTs, `modelnet-zernike` at a tiny size with `dataset.root = s3://cgml/datasets/…`
 * submitted by `POST /v1/jobs` to an in-process worker, rerun from the cache without a download,
 * and re-run from the dataset stage through the runner when an object changes; datasets the
 * service refuses (422) or that fail their job with the key and the reason while the worker
 * goes on serving; and the README's trigger example started by dropping a dataset and its
 * marker (the S3 server's own notifications reach the functions).
 */

import { assert, assertEquals } from "../../testing/assert.ts";
import { countingStore, modelnetFiles } from "../../infra/datasets/_testing.ts";
import { s3Test } from "../../infra/s3/_testing.ts";
import { datasetRootFingerprint, describeDatasetChange } from "../../infra/mod.ts";
import {
  checkPipeline,
  fingerprintRoots,
  loadPipelineText,
  type Plan,
  planRun,
  readRunRecord,
} from "../../pipelines/mod.ts";
import { syntheticMeshes } from "../data/mod.ts";
import { runPlan } from "../runner/mod.ts";
import { type BucketService, until, withBucketService } from "./_testing.ts";

const PREFIX = "datasets/shapes/";
const ROOT = `s3://cgml/${PREFIX}`;

/** modelnet-zernike at a tiny size: Zernike order 4, width 8, one epoch, a 20-epoch probe. */
const TINY = {
  dataset: { root: ROOT, classes: 2, train_per_class: 1, test_per_class: 1, points: 128 },
  order: 4,
  backbone: { width: 8, depth: 2, lift: 0, epochs: 1, batch: 8 },
  probe: { epochs: 20, folds: 2, rounds: 1, l2: [0.01] },
};

/** Two classes of synthetic meshes as OFF files: 3 train and 2 test shapes each. */
function meshes(seed: number): Map<string, string> {
  return syntheticMeshes({
    classes: 2,
    trainPerClass: 3,
    testPerClass: 2,
    seed,
    noise: 0.01,
    anisotropy: 0.03,
    dropParts: 0,
  });
}

async function compileTiny(s: BucketService): Promise<Plan> {
  const text = await loadPipelineText({ store: s.store }, "modelnet-zernike");
  const checked = checkPipeline("modelnet-zernike.yaml", text!, TINY);
  if ("error" in checked) throw new Error(checked.error);
  return checked.plan;
}

/** The runner's decision line of `stage`: `HIT …`, `MISS …`. */
function decisionOf(log: readonly string[], stage: string): string {
  const line = log.join("").split("\n").find((l) =>
    new RegExp(`^${stage} +(HIT|MISS|RUN) `).test(l)
  );
  return line?.slice(stage.length).trim() ?? "(none)";
}

s3Test(
  "modelnet-zernike trains on an s3:// dataset; a rerun downloads nothing; a changed object re-runs from the dataset stage",
  async (server) => {
    await withBucketService(server, {}, async (s) => {
      const files = meshes(0);
      for (const [path, text] of files) await s.upload(PREFIX + path, text);
      const keys = [...files.keys()].map((p) => PREFIX + p).sort();
      s.start();

      const first = await s.finished(
        await s.submit({ pipeline: "modelnet-zernike", params: TINY }),
      );
      assertEquals(first.status, "succeeded", first.error?.message);
      assertEquals(s.gets.filter((k) => k.startsWith(PREFIX)).sort(), keys, "each object once");
      assertEquals(decisionOf(s.runnerLog, "shapes"), "MISS not cached");
      const record = await readRunRecord(s.store, "modelnet-zernike");
      const manifestKey = record!.stages.shapes.outputs.manifest.key;
      const manifest = JSON.parse(new TextDecoder().decode((await s.store.get(manifestKey)).body));
      const listed = (await s.store.list(PREFIX)).items;
      assertEquals(
        manifest.entries.map((e: Record<string, unknown>) => [e.key, e.size, e.etag]),
        listed.map((o) => [o.key, o.size, o.etag]),
      );
      assertEquals(
        new Set(manifest.entries.map((e: { class: string; split: string }) => e.class)).size,
        2,
      );
      assertEquals([manifest.root, manifest.source], [ROOT, "listing"]);
      assertEquals(record!.stages.shapes.external.root, `dataset:${manifest.hash}`);

      s.gets.length = 0;
      s.runnerLog.length = 0;
      const again = await s.finished(
        await s.submit({ pipeline: "modelnet-zernike", params: TINY }),
      );
      assertEquals(again.status, "succeeded", again.error?.message);
      const lines = s.runnerLog.join("").split("\n").filter((l) => / (HIT|MISS|RUN) /.test(l));
      assertEquals(lines.length, Object.keys(record!.stages).length);
      // Every stage but `publish` (never cached; with `publish` empty it writes nothing) is a HIT.
      const cached = lines.filter((l) => !/^publish +RUN /.test(l));
      assertEquals(cached.length, lines.length - 1, lines.join("\n"));
      assert(cached.every((l) => / HIT +key=/.test(l)), lines.join("\n"));
      assertEquals(s.gets.filter((k) => k.startsWith(PREFIX)), [], "a rerun downloads nothing");

      // One object changes: the runner re-runs from the dataset stage, downloading only it.
      const changed = keys[0];
      await s.upload(changed, meshes(1).get(changed.slice(PREFIX.length))!);
      const log: string[] = [];
      const counted = countingStore(s.store);
      const workDir = await Deno.makeTempDir({ prefix: "cgml-runner-" });
      const run = await runPlan(await compileTiny(s), {
        store: counted.store,
        workDir,
        datasets: { bucket: "cgml", cacheDir: s.objectCacheDir },
        log: (t) => log.push(t),
      }).finally(() => Deno.remove(workDir, { recursive: true }));
      const byStage = new Map(run.decisions.map((d) => [d.stage, d]));
      assertEquals(byStage.get("synthetic")!.action, "HIT");
      assertEquals(
        [byStage.get("shapes")!.action, byStage.get("shapes")!.reason],
        ["MISS", "dataset changed: 1 changed"],
      );
      assertEquals(byStage.get("maps")!.reason, 'upstream "shapes" changed');
      assert(decisionOf(log, "shapes").startsWith("MISS dataset changed: 1 changed"));
      assertEquals(counted.gets.filter((k) => k.startsWith(PREFIX)), [changed]);

      // Added and removed objects: the plan says so before anything runs.
      const [a, b] = [...files.values()];
      await s.upload(`${PREFIX}${manifest.entries[0].class}/train/extra_1.off`, a);
      await s.upload(`${PREFIX}${manifest.entries[0].class}/train/extra_2.off`, b);
      await s.store.delete(keys[3]);
      const decisions = await planRun(await compileTiny(s), {
        store: s.store,
        previous: await readRunRecord(s.store, "modelnet-zernike"),
        fingerprint: fingerprintRoots(datasetRootFingerprint(s.store, "cgml")),
        describeChange: (before, after) => describeDatasetChange(s.store, before, after),
      });
      assertEquals(
        decisions.find((d) => d.stage === "shapes")!.reason,
        "dataset changed: 2 added, 1 removed",
      );
    });
  },
);

/** A cheap pipeline that reads a dataset and outputs the shapes and the manifest. */
const SHAPES = {
  version: 1,
  name: "bucket-shapes",
  params: { root: { type: "string", default: "s3://cgml/datasets/good/" } },
  stages: {
    shapes: { uses: "dataset.modelnet@1", with: { root: "${{ params.root }}", points: 64 } },
  },
  outputs: {
    shapes: "${{ stages.shapes.outputs.shapes }}",
    manifest: "${{ stages.shapes.outputs.manifest }}",
  },
};

/** `POST /v1/jobs` of {@link SHAPES} on `root`: the response status and body. */
async function post(s: BucketService, root: string): Promise<[number, { error?: string }]> {
  const res = await s.call("/v1/jobs", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ pipeline: SHAPES, params: { root } }),
  });
  return [res.status, await res.json()];
}

s3Test(
  "a corrupt mesh, a missing object, one class fail their job with the key and the reason; the worker keeps serving",
  async (server) => {
    await withBucketService(server, {}, async (s) => {
      const put = (prefix: string, files: Record<string, string>) =>
        Promise.all(Object.entries(files).map(([p, body]) => s.upload(prefix + p, body)));
      const two = modelnetFiles(["chair", "desk"], 1);
      await put("datasets/good/", two);
      await put("datasets/corrupt/", { ...two, "chair/train/broken.off": "OFF\n4 4 0\n0 0 0\n" });
      await put("datasets/oneclass/", modelnetFiles(["chair"], 2));
      await put("datasets/vanish/", two);
      const pins = Object.keys(two).map((path) => ({ path }));
      await s.upload("datasets/vanish/manifest.json", JSON.stringify({ objects: pins }));
      await s.upload(
        "datasets/ghost/manifest.json",
        JSON.stringify({ objects: [...pins, { path: "chair/train/ghost.off" }] }),
      );
      await put("datasets/ghost/", two);

      // Refused at submission (422, nothing enqueued): another bucket, outside datasets/, a
      // manifest listing an object that does not exist.
      const [otherStatus, other] = await post(s, "s3://elsewhere/datasets/good/");
      assertEquals(otherStatus, 422);
      assert(other.error!.includes('it names bucket "elsewhere"'), other.error);
      assert(other.error!.includes('own bucket "cgml"'), other.error);
      assertEquals((await post(s, "s3://cgml/jobs/x/"))[0], 422);
      const [ghostStatus, ghost] = await post(s, "s3://cgml/datasets/ghost/");
      assertEquals(ghostStatus, 422);
      assert(ghost.error!.includes("datasets/ghost/chair/train/ghost.off"), ghost.error);
      assertEquals((await s.queue.list()).jobs.length, 0);

      // Accepted, then failing while they run, each with its key and reason.
      const corrupt = await s.submit({
        pipeline: SHAPES,
        params: { root: "s3://cgml/datasets/corrupt/" },
      });
      const oneClass = await s.submit({
        pipeline: SHAPES,
        params: { root: "s3://cgml/datasets/oneclass/" },
      });
      const vanish = await s.submit({
        pipeline: SHAPES,
        params: { root: "s3://cgml/datasets/vanish/" },
      });
      const gone = `datasets/vanish/${Object.keys(two)[0]}`;
      await s.store.delete(gone);
      s.start();
      const failed = async (id: string) => {
        const status = await s.finished(id);
        assertEquals(status.status, "failed");
        return status.error!.message;
      };
      const broken = await failed(corrupt);
      assert(broken.includes("datasets/corrupt/chair/train/broken.off"), broken);
      assert((await failed(oneClass)).includes('it has one class ("chair")'));
      const missing = await failed(vanish);
      assert(missing.includes(gone) && missing.includes("no such object"), missing);

      const good = await s.finished(await s.submit({ pipeline: SHAPES, params: {} }));
      assertEquals(good.status, "succeeded", good.error?.message);
      const res = await s.call(`/v1/jobs/${good.id}/artifacts/manifest.json`);
      assertEquals(res.status, 302, "a presigned URL of the artifact");
      const manifest = await (await fetch(res.headers.get("location")!)).json();
      assertEquals(
        manifest.entries.map((e: { key: string; etag: string }) => [e.key, e.etag]),
        (await s.store.list("datasets/good/")).items.map((o) => [o.key, o.etag]),
      );
      assertEquals(s.worker.stats.failed, 3);
    });
  },
);

/** The README's trigger example (Pipelines, Triggers): the pipeline a marker starts. */
async function readmeTriggerExample(): Promise<string> {
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const block = [...readme.matchAll(/```yaml\n([^]*?)```/g)].map((m) => m[1])
    .find((text) => text.includes("name: shapes-on-drop"));
  if (block === undefined) throw new Error("Cannot find the shapes-on-drop example in README.md");
  return block.replace(/^ {2}/gm, "");
}

s3Test(
  "dropping a dataset with its trigger marker starts exactly one job, which trains on it",
  async (server) => {
    await withBucketService(server, { webhook: true }, async (s) => {
      const stored = await s.call("/v1/pipelines/shapes-on-drop", {
        method: "PUT",
        headers: { "content-type": "application/yaml" },
        body: await readmeTriggerExample(),
      });
      assertEquals(stored.status, 200, await stored.text());
      s.start();
      const files = meshes(2);
      for (const [path, text] of files) await s.upload(`datasets/drop/${path}`, text);
      await s.upload("datasets/drop/_READY", new Date().toISOString());
      const marker = "datasets/drop/_READY";
      let ids: string[] = [];
      await until("the marker's job", async () => {
        ids = (await s.queue.list({ source: marker })).jobs.map((j) => j.id);
        return ids.length > 0;
      }, 30_000);
      const job = await s.finished(ids[0]);
      assertEquals(job.status, "succeeded", job.error?.message);
      assertEquals(
        (job.payload as { params: Record<string, unknown> }).params,
        { root: "s3://cgml/datasets/drop/" },
      );
      const record = await readRunRecord(s.store, "shapes-on-drop");
      assert(record!.stages.shapes.external.root.startsWith("dataset:"));
      assertEquals(
        s.gets.filter((k) => k.startsWith("datasets/drop/")).length,
        files.size,
        "the job read the dropped meshes",
      );
      await s.worker.reconcile();
      assertEquals((await s.queue.list()).jobs.map((j) => j.id), ids, "exactly one job");
    });
  },
);
