/** The dataset routes on the filesystem store and on a real S3 server (versitygw). */
import { assert, assertEquals } from "../testing/assert.ts";
import { bothStores, modelnetFiles, offText, putFiles } from "../infra/datasets/_testing.ts";
import { type ObjectStore, Queue, readDatasetManifest } from "../infra/mod.ts";
import { createApp } from "./app.ts";
import { TOKENS } from "./_testing.ts";

/** An app over `store` and `call(path, init, token?)` with the write token by default. */
async function appOver(store: ObjectStore) {
  const queue = await Queue.open(store, { heartbeatMs: 0 });
  const app = createApp({
    store,
    queue,
    config: {
      apiTokens: [{ token: TOKENS.write, scope: "write" }, { token: TOKENS.read, scope: "read" }],
      webhookToken: TOKENS.webhook,
      store: { bucket: "cgml" },
    },
  });
  return (path: string, init: RequestInit = {}, token: string = TOKENS.write) =>
    app.request(path, { ...init, headers: { authorization: `Bearer ${token}` } });
}

const post = { method: "POST" };

bothStores(
  "GET /v1/datasets lists datasets with objects and bytes, one page at a time",
  async (store) => {
    const call = await appOver(store);
    assertEquals(await (await call("/v1/datasets", {}, TOKENS.read)).json(), { datasets: [] });
    await putFiles(store, "datasets/shapes/", { ...modelnetFiles(["a", "b"], 1), "_READY": "" });
    await putFiles(store, "datasets/rows/", { "t.csv": "x,y\n1,2\n" });
    const res = await call("/v1/datasets", {}, TOKENS.read);
    assertEquals(res.status, 200);
    const body = await res.json();
    assertEquals(body.datasets.map((d: { name: string; objects: number }) => [d.name, d.objects]), [
      ["rows", 1],
      ["shapes", 4],
    ]);
    assertEquals(body.datasets[0].bytes, 8);
    assertEquals(body.datasets[1].manifest, null);
    const page = await (await call("/v1/datasets?limit=1")).json();
    assertEquals([page.datasets.length, page.next], [1, "rows"]);
    const rest = await (await call("/v1/datasets?after=rows")).json();
    assertEquals(rest.datasets.map((d: { name: string }) => d.name), ["shapes"]);
    assertEquals((await call("/v1/datasets?after=a%2Fb")).status, 400);
  },
);

bothStores(
  "GET /v1/datasets/{name}: per class and split, bytes, the manifest hash",
  async (store) => {
    const call = await appOver(store);
    await putFiles(store, "datasets/shapes/", modelnetFiles(["chair", "desk"], 2));
    const res = await call("/v1/datasets/shapes", {}, TOKENS.read);
    assertEquals(res.status, 200);
    const d = await res.json();
    const manifest = await readDatasetManifest(store, "datasets/shapes/");
    assertEquals([d.source, d.hash, d.objects], ["listing", manifest.hash, 8]);
    assertEquals(d.classes.map((c: { class: string }) => c.class), ["chair", "desk"]);
    assertEquals(d.classes[0].train.objects, 2);
    assertEquals(d.classes[0].test.bytes, manifest.entries[0].size + manifest.entries[1].size);
    assertEquals([d.problems, d.unlisted], [[], 0]);
    const missing = await call("/v1/datasets/nothing");
    assertEquals(missing.status, 404);
    assert((await missing.json()).error.startsWith("Cannot find dataset nothing"));
    assertEquals((await call("/v1/datasets/a%20b")).status, 400);
    assertEquals((await call("/v1/datasets/shapes", {}, "wrong-token")).status, 403);
  },
);

bothStores(
  "POST …/manifest stores a pinned manifest; a later change is a problem until stored again",
  async (store) => {
    const call = await appOver(store);
    await putFiles(store, "datasets/shapes/", modelnetFiles(["chair", "desk"], 2));
    const listed = await readDatasetManifest(store, "datasets/shapes/");
    assertEquals((await call("/v1/datasets/shapes/manifest", post, TOKENS.read)).status, 403);
    const res = await call("/v1/datasets/shapes/manifest", post);
    assertEquals(res.status, 200);
    const stored = await res.json();
    assertEquals([stored.key, stored.hash, stored.objects], [
      "datasets/shapes/manifest.json",
      listed.hash,
      8,
    ]);
    const file = JSON.parse(new TextDecoder().decode((await store.get(stored.key)).body));
    assertEquals(file.objects.length, 8);
    assertEquals(file.objects[0].etag, listed.entries[0].etag);
    const d = await (await call("/v1/datasets/shapes")).json();
    assertEquals([d.source, d.hash], ["manifest.json", listed.hash]);

    const changed = "datasets/shapes/chair/test/chair_0003.off";
    await store.put(changed, offText(55));
    await store.put("datasets/shapes/chair/train/new.off", offText(56));
    const after = await (await call("/v1/datasets/shapes")).json();
    assertEquals(after.problems.map((p: { key: string }) => p.key), [changed]);
    assertEquals(after.unlisted, 1);
    assert(after.problems[0].message.includes("store the manifest again to accept it"));
    const again = await call("/v1/datasets/shapes/manifest", post);
    assertEquals(again.status, 200);
    const restored = await again.json();
    assert(restored.hash !== listed.hash);
    assertEquals(restored.objects, 8);
    assertEquals((await (await call("/v1/datasets/shapes")).json()).problems, []);
  },
);

bothStores(
  "POST …/manifest answers 422 with every problem and its key, storing nothing",
  async (store) => {
    const call = await appOver(store);
    const files = modelnetFiles(["chair"], 1);
    delete files["chair/test/chair_0002.off"];
    await putFiles(store, "datasets/one/", {
      ...files,
      "chair/train/zip.off": "PK\u0003\u0004 not a mesh",
      "chair/train/short.off": "OFF\n100 100 0\n0 0 0\n",
    });
    const res = await call("/v1/datasets/one/manifest", post);
    assertEquals(res.status, 422);
    const body = await res.json();
    assert(body.error.startsWith("Cannot store the manifest of one: 4 problems"), body.error);
    assertEquals(body.issues.map((p: { key: string }) => p.key), [
      "datasets/one/",
      "datasets/one/chair/",
      "datasets/one/chair/train/short.off",
      "datasets/one/chair/train/zip.off",
    ]);
    assert(body.issues[0].message.includes("one class"));
    assert(body.issues[1].message.includes("no test shapes"));
    assertEquals((await store.list("datasets/one/manifest")).items, []);
    await store.put("datasets/bad/manifest.csv", "path,split\na/train/x.off,later\n");
    const bad = await (await call("/v1/datasets/bad/manifest", post)).json();
    assertEquals(bad.issues, [{
      key: "datasets/bad/manifest.csv",
      message: bad.issues[0].message,
    }]);
    assert(bad.issues[0].message.startsWith("manifest.csv line 2, column split: "));
    const none = await call("/v1/datasets/none/manifest", post);
    assertEquals(none.status, 404);
  },
);
