import { assert, assertEquals, assertRejects } from "../../testing/assert.ts";
import {
  bothStores,
  countingStore,
  modelnetFiles,
  offText,
  putFiles,
  withFsStore,
} from "../../infra/datasets/_testing.ts";
import { s3Test, storeOn } from "../../infra/s3/_testing.ts";
import {
  DatasetError,
  fingerprintDataset,
  type ObjectStore,
  readDatasetManifest,
} from "../../infra/mod.ts";
import { cachePath, DatasetReadError, fetchDataset, readBucketDataset } from "./dataset_reader.ts";

const P = "datasets/shapes/";

/** Every file under `dir`, relative, sorted. */
async function filesUnder(dir: string, rel = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(rel === "" ? dir : `${dir}/${rel}`)) {
    const child = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory) out.push(...await filesUnder(dir, child));
    else out.push(child);
  }
  return out.sort();
}

async function withCache(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cgml-object-cache-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

bothStores("a second read of the same data downloads nothing", async (store) => {
  await putFiles(store, P, modelnetFiles(["chair", "desk"], 3));
  await withCache(async (cacheDir) => {
    const manifest = await readDatasetManifest(store, P);
    const first = countingStore(store);
    const progress: number[] = [];
    const one = await fetchDataset(first.store, manifest, {
      cacheDir,
      concurrency: 3,
      onProgress: (done) => progress.push(done),
    });
    assertEquals([one.downloaded, one.cached, first.counts.getStream], [12, 0, 12]);
    assertEquals(progress, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assertEquals(new Set(one.objects.map((o) => o.check)), new Set(["md5"]));
    for (const o of one.objects) {
      assertEquals(await Deno.readFile(o.file), (await store.get(o.entry.key)).body);
    }
    const second = countingStore(store);
    const two = await fetchDataset(second.store, manifest, { cacheDir });
    assertEquals([two.downloaded, two.cached, two.downloadedBytes], [0, 12, 0]);
    assertEquals(second.counts.get + second.counts.getStream + second.counts.head, 0);
    // The same bytes under another dataset name share the cache too.
    await putFiles(store, "datasets/copy/", modelnetFiles(["chair", "desk"], 3));
    const copy = countingStore(store);
    const three = await fetchDataset(
      copy.store,
      await readDatasetManifest(store, "datasets/copy/"),
      {
        cacheDir,
      },
    );
    assertEquals([three.downloaded, copy.counts.getStream], [0, 0]);
    assertEquals((await filesUnder(cacheDir)).filter((f) => f.startsWith("tmp/")), []);
  });
});

bothStores(
  "a missing or changed object fails with its key; the cache keeps only verified objects",
  async (store) => {
    await putFiles(store, P, modelnetFiles(["chair", "desk"]));
    const manifest = await readDatasetManifest(store, P);
    await store.delete(`${P}desk/test/desk_0007.off`);
    await withCache(async (cacheDir) => {
      const err = await assertRejects(
        () => fetchDataset(store, manifest, { cacheDir, concurrency: 1 }),
        DatasetReadError,
        `Cannot read dataset object ${P}desk/test/desk_0007.off: the object is missing`,
      );
      assertEquals((err as DatasetReadError).key, `${P}desk/test/desk_0007.off`);
      const files = await filesUnder(cacheDir);
      // In path order desk/test/desk_0007.off is the fifth: the four before it stay cached, and
      // nothing starts after the failure.
      assertEquals(files.filter((f) => !f.startsWith("tmp")).length, 4, files.join(", "));
      assertEquals(files.filter((f) => f.startsWith("tmp")), []);
    });
    await putFiles(store, P, { "desk/test/desk_0007.off": offText(1234) });
    await withCache(async (cacheDir) => {
      await assertRejects(
        () => fetchDataset(store, manifest, { cacheDir }),
        DatasetReadError,
        `${P}desk/test/desk_0007.off: it changed after the dataset was listed`,
      );
    });
  },
);

/** `store` whose streams of `key` deliver bytes that differ from the stored ones. */
function corrupting(store: ObjectStore, key: string, how: "flip" | "truncate"): ObjectStore {
  return {
    ...store,
    kind: store.kind,
    notifications: store.notifications,
    get: (k) => store.get(k),
    head: (k) => store.head(k),
    put: (k, b, o) => store.put(k, b, o),
    delete: (k) => store.delete(k),
    list: (p, o) => store.list(p, o),
    presignGet: (k, s) => store.presignGet(k, s),
    presignPut: (k, s) => store.presignPut(k, s),
    async getStream(k) {
      const object = await store.getStream(k);
      if (k !== key) return object;
      const bytes = new Uint8Array(await new Response(object.body).arrayBuffer());
      const bad = how === "flip" ? bytes.map((b, i) => i === 5 ? b ^ 0x20 : b) : bytes.slice(0, -3);
      return { ...object, body: new Blob([bad]).stream() };
    },
  };
}

bothStores(
  "a corrupt or truncated download fails with the key and never enters the cache",
  async (store) => {
    await putFiles(store, P, modelnetFiles(["chair", "desk"]));
    const manifest = await readDatasetManifest(store, P);
    const key = `${P}chair/train/chair_0002.off`;
    const entry = manifest.entries.find((e) => e.key === key)!;
    await withCache(async (cacheDir) => {
      await assertRejects(
        () => fetchDataset(corrupting(store, key, "flip"), manifest, { cacheDir }),
        DatasetReadError,
        `Cannot read dataset object ${key}: corrupt download: the bytes' MD5 is `,
      );
      await assertRejects(
        () => fetchDataset(corrupting(store, key, "truncate"), manifest, { cacheDir }),
        DatasetReadError,
        `${key}: corrupt download: received ${
          entry.size - 3
        } bytes, the listing says ${entry.size}`,
      );
      const files = await filesUnder(cacheDir);
      assert(!files.includes(cachePath("", entry.etag, entry.size).slice(1)), files.join(", "));
      assertEquals(files.filter((f) => f.startsWith("tmp")), []);
      const good = await fetchDataset(store, manifest, { cacheDir });
      assertEquals([good.downloaded, good.cached], [1, 7]);
    });
  },
);

Deno.test("temporary files left by a crash are removed", async () => {
  await withFsStore(async (store) => {
    await putFiles(store, P, modelnetFiles(["a", "b"], 1));
    await withCache(async (cacheDir) => {
      await Deno.mkdir(`${cacheDir}/tmp/old`, { recursive: true });
      await Deno.writeTextFile(`${cacheDir}/tmp/old/x`, "partial");
      await Deno.utime(`${cacheDir}/tmp/old`, 0, 0);
      await fetchDataset(store, await readDatasetManifest(store, P), { cacheDir });
      assertEquals((await filesUnder(cacheDir)).filter((f) => f.startsWith("tmp")), []);
    });
  });
});

s3Test("a multipart upload is verified by its parts' MD5s", async (server) => {
  const store = await storeOn(server, "cgml");
  const size = (16 << 20) + 12345;
  const bytes = new Uint8Array(size).map((_, i) => (i * 31) & 0xff);
  await store.put(`${P}big/train/cloud.xyz`, new Blob([bytes]).stream(), { size });
  const manifest = await readDatasetManifest(store, P);
  assert(/-2$/.test(manifest.entries[0].etag), `multipart ETag: ${manifest.entries[0].etag}`);
  await withCache(async (cacheDir) => {
    const report = await fetchDataset(store, manifest, { cacheDir });
    assertEquals(report.objects[0].check, "multipart-md5");
    assertEquals((await Deno.stat(report.objects[0].file)).size, size);
    await assertRejects(
      () =>
        fetchDataset(corrupting(store, manifest.entries[0].key, "truncate"), manifest, {
          cacheDir: `${cacheDir}/other`,
        }),
      DatasetReadError,
      "received",
    );
  });
});

bothStores(
  "duplicates share one download; a dataset changed since planning says what changed",
  async (store) => {
    await putFiles(store, P, { ...modelnetFiles(["a", "b"], 1), "a/train/dup.off": offText(1) });
    const planned = await fingerprintDataset(store, "cgml", `s3://cgml/${P}`);
    await withCache(async (cacheDir) => {
      const counted = countingStore(store);
      const { manifest, report } = await readBucketDataset(counted.store, P, {
        cacheDir,
        concurrency: 5,
        expectHash: planned.manifest.hash,
      });
      assertEquals(manifest.hash, planned.manifest.hash);
      assertEquals([report.objects.length, report.downloaded, counted.counts.getStream], [5, 4, 4]);
      await putFiles(store, P, { "b/test/new.off": offText(3) });
      await assertRejects(
        () => readBucketDataset(store, P, { cacheDir, expectHash: planned.manifest.hash }),
        DatasetError,
        `Cannot read the dataset at ${P}: it changed after the run was planned (dataset changed: 1 added)`,
      );
    });
  },
);
