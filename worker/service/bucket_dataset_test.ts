/**
 * [real S3] Training on a dataset in the bucket: ModelNet-layout OFF meshes uploaded by plain
 * HTTP PUTs, `modelnet-zernike` at a tiny size with `dataset.root = s3://cgml/datasets/…`
 * submitted by `POST /v1/jobs` to an in-process worker, rerun from the cache without a download,
 * and re-run from the dataset stage through the runner when an object changes.
 */

import { assert, assertEquals } from "../../testing/assert.ts";
import { countingStore } from "../../infra/datasets/_testing.ts";
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
import { type BucketService, withBucketService } from "./_testing.ts";

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
      assert(lines.every((l) => / HIT +key=/.test(l)), lines.join("\n"));
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
