/**
 * The model routes on the filesystem store: list, describe, files (bytes; S3 redirects are in
 * model_e2e_test.ts), and what `POST /v1/models/{name}/infer` refuses before queueing anything.
 */
import { assert, assertEquals } from "../testing/assert.ts";
import { MODEL_FILES, type ObjectStore, publishModel } from "../infra/mod.ts";
import { withApp } from "./_testing.ts";

const text = (s: string) => new TextEncoder().encode(s);

/** A version whose config states a map model of `outDim` cells (the files are placeholders). */
function publish(store: ObjectStore, weights: string, outDim = 384) {
  const config = { kind: "map", network: { outDim }, input: { height: 16, width: 24 } };
  return publishModel(store, {
    name: "shapes",
    files: new Map([
      [MODEL_FILES.config, text(JSON.stringify(config))],
      [MODEL_FILES.model, text(weights)],
      [MODEL_FILES.metrics, text('{"evaluation":{"psnr":24},"probe":{"accuracy":0.9}}')],
    ]),
    kind: "map",
    method: "cgml",
    source: { pipeline: "modelnet-zernike", run: "job_x", job: "x" },
  });
}

async function putShapes(store: ObjectStore, prefix: string, count: number) {
  for (let i = 0; i < count; i++) {
    await store.put(`${prefix}chair/test/c${i}.off`, "OFF\n4 4 0\n0 0 0\n1 0 0\n0 1 0\n0 0 1\n");
  }
  await store.put(`${prefix}chair/train/t0.off`, "OFF\n0 0 0\n");
}

Deno.test("models are listed, described with metrics and source, and their files downloaded", async () => {
  await withApp(async (f) => {
    assertEquals(await (await f.call("/v1/models")).json(), { models: [] });
    await publish(f.store, "w1");
    await publish(f.store, "w2");
    const list = await (await f.call("/v1/models")).json();
    assertEquals(list.models.length, 1);
    assertEquals(
      [list.models[0].name, list.models[0].versions, list.models[0].latest],
      ["shapes", 2, 2],
    );
    const one = await (await f.call("/v1/models/shapes")).json();
    assertEquals(one.latest, 2);
    assertEquals(one.versions.map((v: { version: number }) => v.version), [1, 2]);
    assertEquals(one.versions[0].metrics.probe.accuracy, 0.9);
    assertEquals(one.versions[0].source, { pipeline: "modelnet-zernike", run: "job_x", job: "x" });
    const file = await f.call("/v1/models/shapes/1/files/model.safetensors");
    assertEquals([file.status, await file.text()], [200, "w1"]);
    const latest = await f.call("/v1/models/shapes/latest/files/config.json");
    assertEquals(latest.headers.get("content-type"), "application/json");
    assertEquals((await latest.json()).kind, "map");
    const record = await (await f.call("/v1/models/shapes/2/files/version.json")).json();
    assertEquals(record.version, 2);
    for (
      const path of [
        "/v1/models/nothing",
        "/v1/models/shapes/3/files/config.json",
        "/v1/models/shapes/1/files/probe.safetensors",
      ]
    ) {
      const res = await f.call(path);
      assertEquals(res.status, 404, path);
      assert((await res.json()).error.startsWith("Cannot find"), path);
    }
    assertEquals((await f.call("/v1/models/shapes/1/files/other.bin")).status, 400);
    assertEquals((await f.call("/v1/models/Shapes")).status, 400);
  });
});

Deno.test("inference requests are checked against the model and the dataset before queueing", async () => {
  await withApp(async (f) => {
    await publish(f.store, "w1");
    await publish(f.store, "w2", 262_144);
    await putShapes(f.store, "datasets/shapes/", 10);
    await f.store.put("datasets/empty/readme.md", "nothing to infer on");
    const infer = (body: unknown, name = "shapes") =>
      f.call(`/v1/models/${name}/infer`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const refused: [unknown, number, string][] = [
      [{ dataset: "s3://cgml/datasets/shapes/", version: "9" }, 404, "Cannot find version 9"],
      [{ dataset: "s3://cgml/datasets/shapes/", k: 0 }, 400, "k"],
      [{ k: 8 }, 422, 'give "dataset" or "inputs"'],
      [{ dataset: "s3://cgml/datasets/shapes/", inputs: [[0]] }, 422, "exactly one"],
      [{ dataset: "s3://other/datasets/shapes/" }, 422, 'names bucket "other"'],
      [{ dataset: "/data/shapes" }, 422, "not local folders"],
      [{ dataset: "s3://cgml/datasets/empty/" }, 422, "holds no inputs for a map model"],
      // 10 test shapes × k 1024 × 262 144 cells: 10 GiB of samples.
      [{ dataset: "s3://cgml/datasets/shapes/", k: 1024 }, 422, "(10.0 GiB) exceeds"],
    ];
    for (const [body, status, message] of refused) {
      const res = await infer(body);
      const error = (await res.json()).error as string;
      assertEquals(res.status, status, JSON.stringify(body));
      assert(error.includes(message), `${JSON.stringify(body)}: ${error}`);
    }
    const unknown = await infer({ inputs: [[0]] }, "nothing");
    assertEquals(unknown.status, 404);
    assertEquals((await f.queue.list({})).jobs.length, 0);

    const ok = await infer({ dataset: "s3://cgml/datasets/shapes/", version: "1", k: 4 });
    assertEquals(ok.status, 202);
    const accepted = await ok.json();
    assertEquals([accepted.model, accepted.version, accepted.inputs], ["shapes", 1, 10]);
    assertEquals(ok.headers.get("location"), `/v1/jobs/${accepted.id}`);
    const job = await f.queue.get(accepted.id);
    const payload = job!.payload as { pipeline: string; params: Record<string, unknown> };
    assertEquals(payload.pipeline, "infer");
    assertEquals(payload.params.model, "shapes@1");
    assertEquals([payload.params.k, payload.params.steps, payload.params.split], [4, -1, "test"]);
    const view = await (await f.call(`/v1/jobs/${accepted.id}`)).json();
    assertEquals([view.pipeline, view.status], ["infer", "queued"]);
  });
});
