/**
 * [real S3 end to end] Publish and infer over the functions and a worker (in process) on
 * versitygw: a small ModelNet-layout dataset pushed by plain S3 PUTs, `modelnet-zernike` run with
 * `publish` through `POST /v1/jobs` (tiny config), the model listed and its files served by
 * presigned URL, `POST /v1/models/{name}/infer` on the dataset's test split giving inputs × k
 * predictions with the probe's classes, and bad requests: 4xx at the API, a failed job with the
 * key and reason for a corrupt mesh, after which the worker keeps serving.
 */

import { assert, assertEquals } from "../../testing/assert.ts";
import { s3Test, storeOn } from "../../infra/s3/_testing.ts";
import { Queue } from "../../infra/mod.ts";
import { createApp } from "../../functions/app.ts";
import { syntheticMeshes } from "../data/mod.ts";
import { Gpu } from "../gpu/mod.ts";
import { createPipelineRunner } from "./pipeline_runner.ts";
import { WorkerService } from "./service.ts";

const TINY = {
  dataset: { classes: 2, train_per_class: 4, test_per_class: 2, points: 256 },
  order: 6,
  backbone: { width: 8, epochs: 1, batch: 8 },
  probe: { l2: [0.01], epochs: 20 },
  publish: "shapes",
};

const post = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

s3Test("a model trained by a job is published, listed, and infers as a job", async (server) => {
  const dir = await Deno.makeTempDir({ prefix: "cgml-model-e2e-" });
  const store = await storeOn(server, "cgml");
  const queue = await Queue.open(store);
  const gpu = Gpu.create({ log: null });
  const log: string[] = [];
  const worker = new WorkerService({
    store,
    queue,
    bucket: "cgml",
    run: createPipelineRunner({
      workDir: `${dir}/work`,
      gpu: () => gpu,
      datasets: { bucket: "cgml", cacheDir: `${dir}/objects` },
    }),
    pollMs: 100,
    scanMs: 0,
    log: (line) => void log.push(line),
  });
  const app = createApp({ store, queue, config: { apiTokens: [], store: { bucket: "cgml" } } });
  const call = (path: string, init?: RequestInit) => app.request(path, init);
  const finished = async (id: string) => {
    for (let i = 0; i < 1200; i++) {
      const job = await (await call(`/v1/jobs/${id}`)).json();
      if (["succeeded", "failed", "cancelled"].includes(job.status)) return job;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`job ${id} did not finish`);
  };
  const download = async (path: string) => {
    const res = await call(path, { redirect: "manual" });
    assertEquals(res.status, 302, path);
    return await (await fetch(res.headers.get("location")!)).text();
  };
  const working = worker.start();
  try {
    const meshes = syntheticMeshes({
      classes: 2,
      trainPerClass: 1,
      testPerClass: 2,
      seed: 5,
      noise: 0.01,
      anisotropy: 0.03,
      dropParts: 0,
    });
    for (const [path, text] of meshes) await store.put(`datasets/shapes/${path}`, text);

    const trained = await call("/v1/jobs", post({ pipeline: "modelnet-zernike", params: TINY }));
    assertEquals(trained.status, 202);
    const job = await finished((await trained.json()).id);
    assertEquals(job.status, "succeeded", JSON.stringify(job.error));
    assert(job.artifacts.some((a: { path: string }) => a.path === "release.json"));

    const models = await (await call("/v1/models")).json();
    assertEquals(models.models.map((m: { name: string }) => m.name), ["shapes"]);
    const model = await (await call("/v1/models/shapes")).json();
    assertEquals(model.latest, 1);
    const [v1] = model.versions;
    assertEquals([v1.kind, v1.method, v1.source.pipeline, v1.source.job], [
      "map",
      "cgml",
      "modelnet-zernike",
      job.id,
    ]);
    assert(v1.metrics.probe.accuracy >= 0 && v1.metrics.evaluation.psnr !== undefined);
    const config = JSON.parse(await download("/v1/models/shapes/latest/files/config.json"));
    assertEquals([config.input.basis, config.input.order, config.input.layout], [
      "zernike",
      6,
      "zernike-raster",
    ]);
    assertEquals(config.probe.classes.length, 2);

    assertEquals((await call("/v1/models/shapes/infer", post({ inputs: [{}], k: 0 }))).status, 400);
    const missing = await call("/v1/models/shapes/infer", post({ inputs: [{}], version: "7" }));
    assertEquals(missing.status, 404);

    const infer = await call(
      "/v1/models/shapes/infer",
      post({ dataset: "s3://cgml/datasets/shapes/", split: "test", k: 3, show: 1 }),
    );
    assertEquals(infer.status, 202);
    const accepted = await infer.json();
    assertEquals([accepted.version, accepted.inputs], [1, 4]);
    const done = await finished(accepted.id);
    assertEquals(done.status, "succeeded", JSON.stringify(done.error));
    const paths = done.artifacts.map((a: { path: string }) => a.path);
    for (const p of ["predictions.csv", "samples.safetensors", "modes.json", "report.html"]) {
      assert(paths.includes(p), `${p} in ${paths}`);
    }
    assert(paths.includes("reconstructions/input-1/draw-0.ply"), paths.join(" "));
    const csv = (await download(`/v1/jobs/${done.id}/artifacts/predictions.csv`)).trim()
      .split("\n");
    assertEquals(csv[0], "input,draw,mode,change,class,score");
    assertEquals(csv.length, 1 + 4 * 3);
    for (const row of csv.slice(1)) {
      const [input, , , , cls] = row.split(",");
      assert(input.startsWith("datasets/shapes/") && input.includes("/test/"), row);
      assert(config.probe.classes.includes(cls), row);
    }
    const events = await (await call(`/v1/jobs/${done.id}/events`)).text();
    assert(events.includes("event: end"), events);

    // A corrupt mesh fails its job with the key and the reason; the worker serves the next one.
    await store.put("datasets/broken/chair/test/bad.off", "OFF\n3 1 0\n0 0 0\n");
    const bad = await call(
      "/v1/models/shapes/infer",
      post({ dataset: "s3://cgml/datasets/broken/" }),
    );
    const failed = await finished((await bad.json()).id);
    assertEquals(failed.status, "failed");
    assert(failed.error.message.includes("bad.off"), failed.error.message);
    const again = await call(
      "/v1/models/shapes/infer",
      post({ dataset: "s3://cgml/datasets/shapes/", k: 2, show: 0 }),
    );
    assertEquals((await finished((await again.json()).id)).status, "succeeded");
  } finally {
    await worker.stop();
    await working;
    (await gpu).destroy();
    await Deno.remove(dir, { recursive: true });
  }
});
