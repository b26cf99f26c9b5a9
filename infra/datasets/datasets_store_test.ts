/** The dataset layer on both backends: the filesystem store and a real S3 server (versitygw). */
import { assert, assertEquals, assertRejects } from "../../testing/assert.ts";
import {
  bothStores,
  countingStore,
  modelnetFiles,
  offText,
  putFiles,
  withFsStore,
} from "./_testing.ts";
import { Buffer } from "node:buffer";
import { FsStore } from "../store/fs_store.ts";
import { MinioStore } from "../store/minio_store.ts";
import { DatasetError } from "./errors.ts";
import { listDatasetNames, listObjects } from "./listing.ts";
import { loadDataset, readDatasetManifest } from "./load.ts";
import { formatManifestJson } from "./manifest_file.ts";
import {
  datasetRootFingerprint,
  describeDatasetChange,
  fingerprintDataset,
  manifestSnapshotKey,
} from "./snapshots.ts";
import { validateDataset } from "./validate.ts";

const P = "datasets/shapes/";

bothStores(
  "a pushed ModelNet folder lists as a manifest with ETags that head confirms",
  async (store) => {
    await putFiles(store, P, { ...modelnetFiles(["chair", "desk"]), "_READY": "", ".hidden": "x" });
    const { store: counted, counts } = countingStore(store);
    const m = await readDatasetManifest(counted, P);
    assertEquals(m.entries.length, 8);
    assertEquals(m.source, "listing");
    for (const e of m.entries) assertEquals(e.etag, (await store.head(e.key)).etag);
    // S3 listings carry the ETag; the filesystem store hashes on head.
    assertEquals(counts.head, store.kind === "minio" ? 0 : 10);
    assertEquals(counts.get + counts.getStream, 0);
    assertEquals(await validateDataset(store, m), []);
  },
);

bothStores("dataset names are listed without reading every object", async (store) => {
  for (const name of ["b", "a", "a.b", "a0", "bad name"]) {
    await putFiles(store, `datasets/${name}/`, modelnetFiles(["x", "y"], 3));
  }
  await store.put("datasets/loose-file.txt", "not a dataset");
  const { store: counted, counts } = countingStore(store);
  // Key order: "datasets/a.b/…" sorts before "datasets/a/…" ('.' < '/').
  assertEquals(await listDatasetNames(counted), { names: ["a.b", "a", "a0", "b"] });
  assert(counts.list <= 8, `${counts.list} list calls for 5 datasets of 12 objects`);
  assertEquals(await listDatasetNames(store, { limit: 2 }), { names: ["a.b", "a"], next: "a" });
  assertEquals(await listDatasetNames(store, { after: "a" }), { names: ["a0", "b"] });
});

bothStores(
  "a dataset's problems come with keys: one class, a missing split, a corrupt mesh",
  async (store) => {
    const files = modelnetFiles(["chair"]);
    delete files["chair/test/chair_0003.off"];
    delete files["chair/test/chair_0004.off"];
    await putFiles(store, P, {
      ...files,
      "chair/train/broken.off": "OFF\n9000 9000 0\n0 0 0\n",
      "chair/train/scan.stl": "solid x",
      "loose.off": offText(),
    });
    const problems = await validateDataset(store, await readDatasetManifest(store, P));
    assertEquals(problems.map((p) => p.key), [
      P,
      `${P}chair/`,
      `${P}chair/train/broken.off`,
      `${P}chair/train/scan.stl`,
      `${P}loose.off`,
    ]);
    assertEquals(
      problems[0].message,
      'the dataset has one class ("chair"); a classifier needs at least two',
    );
    assertEquals(problems[1].message, 'class "chair" has no test shapes');
    assert(problems[2].message.includes("truncated upload"));
    assert(problems[3].message.includes("extension is unknown"));
    assert(problems[4].message.startsWith("a shape must lie under <class>/train/"));
  },
);

bothStores(
  "an explicit manifest decides; missing objects and a bad manifest fail with keys",
  async (store) => {
    await putFiles(store, P, modelnetFiles(["chair", "desk"]));
    const listing = await readDatasetManifest(store, P);
    const chosen = { ...listing, entries: listing.entries.filter((e) => e.split === "train") };
    await store.put(`${P}manifest.json`, formatManifestJson(chosen));
    const m = await readDatasetManifest(store, P);
    assertEquals([m.source, m.entries.length], ["manifest.json", 4]);
    await store.put(`${P}chair/train/chair_0001.off`, offText(42));
    await store.delete(`${P}desk/train/desk_0005.off`);
    const err = await assertRejects(() => readDatasetManifest(store, P), DatasetError);
    assertEquals((err as DatasetError).problems.map((p) => p.key), [
      `${P}chair/train/chair_0001.off`,
      `${P}desk/train/desk_0005.off`,
    ]);
    assert(
      err.message.startsWith(`Cannot read the dataset at ${P}: 2 problems\n  ${P}chair/train/`),
    );
    await store.put(`${P}manifest.json`, '{"objects": [{"path": 3}]}');
    const bad = await loadDataset(store, P);
    assertEquals(bad.manifest, null);
    assertEquals(bad.problems.map((p) => p.key), [`${P}manifest.json`]);
    await store.delete(`${P}manifest.json`);
    await store.put(`${P}manifest.csv`, "path,class\nchair/test/chair_0003.off,lamp\n");
    const csv = await readDatasetManifest(store, P);
    assertEquals(csv.entries.map((e) => [e.path, e.class, e.split]), [
      ["chair/test/chair_0003.off", "lamp", "test"],
    ]);
    await assertRejects(
      () => readDatasetManifest(store, "datasets/none/"),
      DatasetError,
      "holds no data",
    );
  },
);

bothStores("fingerprints change with the data and say what changed", async (store) => {
  const root = `s3://cgml/${P}`;
  await putFiles(store, P, modelnetFiles(["chair", "desk"]));
  const first = await fingerprintDataset(store, "cgml", root);
  assert(first.fingerprint.startsWith("dataset:"));
  assertEquals((await fingerprintDataset(store, "cgml", root)).fingerprint, first.fingerprint);
  await store.head(manifestSnapshotKey(first.manifest.hash));
  await putFiles(store, P, {
    "chair/train/new1.off": offText(7),
    "chair/train/new2.off": offText(8),
    "desk/test/new3.off": offText(9),
    "desk/test/desk_0007.off": offText(99),
  });
  await store.delete(`${P}chair/test/chair_0003.off`);
  const second = await fingerprintDataset(store, "cgml", root);
  assertEquals(
    await describeDatasetChange(store, first.fingerprint, second.fingerprint),
    "dataset changed: 3 added, 1 changed, 1 removed",
  );
  assertEquals(await describeDatasetChange(store, "abc", second.fingerprint), null);
  assertEquals(
    await describeDatasetChange(store, `dataset:${"0".repeat(64)}`, second.fingerprint),
    null,
  );
  await assertRejects(
    () => fingerprintDataset(store, "cgml", "s3://other/datasets/shapes/"),
    DatasetError,
    'bucket "other"',
  );
  const planner = datasetRootFingerprint(store, "cgml");
  assertEquals(await planner(root, "stages.shapes.with.root"), second.fingerprint);
  assertEquals(await planner("/data/ModelNet10", "stages.shapes.with.root"), null);
  await assertRejects(
    () => planner("s3://other/datasets/shapes/", "stages.shapes.with.root"),
    DatasetError,
    'Cannot read stages.shapes.with.root "s3://other/datasets/shapes/": it names bucket "other"',
  );
  await assertRejects(
    () => planner("https://example.org/shapes/", "stages.shapes.with.root"),
    DatasetError,
    "not https://",
  );
  await assertRejects(() => planner(`s3://cgml/datasets/empty/`, "f"), DatasetError, "no data");
});

bothStores("keys the service refuses are problems with their key, never entries", async (store) => {
  await putFiles(store, P, modelnetFiles(["chair", "desk"]));
  // versitygw normalises "..", "." and "//" in keys, and S3 listings (XML) cannot carry control
  // characters; a backslash survives both backends.
  const hostile = store instanceof MinioStore
    ? [`${P}chair/train/back\\slash.off`]
    : [`${P}chair/train/back\\slash.off`, `${P}desk/test/bell\u0007.off`];
  for (const key of hostile) {
    // Written around the store's own key check, as a plain S3 client or a shell could.
    if (store instanceof MinioStore) {
      await store.client.putObject(store.bucket, key, Buffer.from(offText()));
    } else {
      await Deno.writeTextFile(`${(store as FsStore).root}/${key}`, offText());
    }
  }
  const loaded = await loadDataset(store, P);
  assertEquals(loaded.problems.map((p) => p.key).sort(), [...hostile].sort());
  assertEquals(loaded.manifest?.entries.length, 8);
  const err = await assertRejects(() => readDatasetManifest(store, P), DatasetError, "problem");
  assert(
    err.message.includes(
      `${hostile[0]}: this service does not read such keys: it contains a backslash`,
    ),
    err.message,
  );
  if (hostile.length > 1) {
    assert(err.message.includes('"datasets/shapes/desk/test/bell\\u0007.off"'));
  }
});

// Paging of the S3 listing itself is in the store contract; this checks that listObjects follows it.
Deno.test("listing pages through more than one page of objects [fs store]", async () => {
  await withFsStore(async (store) => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 1001; i++) {
      files[`c${i % 2}/train/${String(i).padStart(5, "0")}.xyz`] = `${i} 0 0\n`;
    }
    await putFiles(store, "datasets/many/", files);
    const objects = await listObjects(store, "datasets/many/", { concurrency: 8 });
    assertEquals(objects.length, 1001);
    assertEquals(new Set(objects.map((o) => o.etag)).size, 1001);
  });
});
