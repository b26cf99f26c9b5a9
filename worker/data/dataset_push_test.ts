import { assert, assertEquals, assertRejects } from "../../testing/assert.ts";
import {
  bothStores,
  countingStore,
  modelnetFiles,
  offText,
  withFsStore,
} from "../../infra/datasets/_testing.ts";
import { s3Test, storeEnv, storeOn } from "../../infra/s3/_testing.ts";
import {
  DatasetError,
  listObjects,
  type ObjectStore,
  readDatasetManifest,
  StoreUnavailableError,
} from "../../infra/mod.ts";
import { pushFolder } from "./dataset_push.ts";

const P = "datasets/shapes/";

/** Runs `fn` with a temporary folder holding `files` (relative paths). */
async function withFolder(
  files: Record<string, string | Uint8Array>,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cgml-push-" });
  try {
    for (const [rel, body] of Object.entries(files)) {
      const path = `${dir}/${rel}`;
      await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      if (typeof body === "string") await Deno.writeTextFile(path, body);
      else await Deno.writeFile(path, body);
    }
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

bothStores(
  "push uploads a folder once; a second push uploads nothing; a change uploads one",
  async (store) => {
    const files = { ...modelnetFiles(["chair", "desk"], 3), ".DS_Store": "x", "chair/.git/x": "y" };
    await withFolder(files, async (dir) => {
      await Deno.symlink(`${dir}/chair/train/chair_0001.off`, `${dir}/link.off`);
      const first = countingStore(store);
      const progress: number[] = [];
      const report = await pushFolder(first.store, dir, "shapes", {
        concurrency: 4,
        onProgress: (p) => progress.push(p.files),
      });
      assertEquals([report.uploaded, report.skipped, first.counts.put], [12, 0, 12]);
      assertEquals(progress.length, 12);
      const stored = await readDatasetManifest(store, P);
      assertEquals(stored.entries.length, 12);
      for (const e of stored.entries) {
        assertEquals(
          new TextDecoder().decode((await store.get(e.key)).body),
          files[e.path as keyof typeof files],
        );
      }
      const second = countingStore(store);
      const again = await pushFolder(second.store, dir, "shapes");
      assertEquals([again.uploaded, again.skipped, second.counts.put], [0, 12, 0]);
      assertEquals(second.counts.get + second.counts.getStream, 0);
      await Deno.writeTextFile(`${dir}/desk/test/desk_0010.off`, offText(77));
      await store.put(`${P}desk/train/extra.off`, offText(5));
      const third = countingStore(store);
      const changed = await pushFolder(third.store, dir, "shapes");
      assertEquals([changed.uploaded, changed.skipped, changed.extra, third.counts.put], [
        1,
        11,
        1,
        1,
      ]);
    });
  },
);

/** `store` whose puts fail (after landing nothing) once `after` puts have succeeded. */
function failingAfter(store: ObjectStore, after: number): ObjectStore {
  let puts = 0;
  return {
    ...store,
    kind: store.kind,
    notifications: store.notifications,
    get: (k) => store.get(k),
    getStream: (k) => store.getStream(k),
    head: (k) => store.head(k),
    delete: (k) => store.delete(k),
    list: (p, o) => store.list(p, o),
    presignGet: (k, s) => store.presignGet(k, s),
    presignPut: (k, s) => store.presignPut(k, s),
    put(k, b, o) {
      if (puts++ >= after) {
        return Promise.reject(new StoreUnavailableError(`Cannot write ${k}: connection reset`));
      }
      return store.put(k, b, o);
    },
  };
}

bothStores(
  "an interrupted push resumes: the rerun uploads only what is missing, markers last",
  async (store) => {
    const files = { ...modelnetFiles(["a", "b", "c"], 4), "_READY": "", "manifest.csv": "path\n" };
    await withFolder(files, async (dir) => {
      await assertRejects(
        () => pushFolder(failingAfter(store, 9), dir, "shapes", { concurrency: 3 }),
        StoreUnavailableError,
      );
      const landed = (await listObjects(store, P)).length;
      assert(landed >= 9 && landed < 24, `${landed} objects landed`);
      assertEquals((await listObjects(store, P)).some((o) => o.key.endsWith("_READY")), false);
      const rerun = countingStore(store);
      const order: string[] = [];
      const wrapped: ObjectStore = {
        ...rerun.store,
        put: (k, b, o) => (order.push(k), rerun.store.put(k, b, o)),
      };
      const report = await pushFolder(wrapped, dir, "shapes", { concurrency: 3 });
      assertEquals([report.uploaded, report.skipped], [26 - landed, landed]);
      assertEquals(rerun.counts.put, 26 - landed);
      assertEquals(new Set(order.slice(-2)), new Set([`${P}_READY`, `${P}manifest.csv`]));
    });
  },
);

Deno.test("push refuses file names that cannot be keys, before uploading anything", async () => {
  await withFsStore(async (store) => {
    await withFolder({
      "a/train/ok.off": offText(),
      "a/train/back\\slash.off": offText(),
      "a/test/new\nline.off": "x",
    }, async (dir) => {
      const counted = countingStore(store);
      const err = await assertRejects(
        () => pushFolder(counted.store, dir, "shapes"),
        DatasetError,
        `Cannot push ${dir}: 2 file name(s) cannot be object keys`,
      );
      assertEquals(
        (err as DatasetError).problems.map((p) => p.key),
        [
          `${dir}/a/test/new\nline.off`,
          `${dir}/a/train/back\\slash.off`,
        ].sort(),
      );
      assertEquals(counted.counts.put, 0);
    });
    await assertRejects(
      () => pushFolder(store, "/nonexistent-folder", "shapes"),
      DatasetError,
      "no such folder",
    );
    await withFolder({ "x.off": offText() }, async (dir) => {
      await assertRejects(
        () => pushFolder(store, dir, "bad/name"),
        DatasetError,
        "Cannot use dataset name",
      );
    });
  });
});

s3Test(
  "a file over 16 MiB goes multipart and is recognised as unchanged on the next push",
  async (server) => {
    const store = await storeOn(server, "cgml");
    const big = new Uint8Array((16 << 20) + 4321).map((_, i) => (i * 131) & 0xff);
    await withFolder({ "big/train/cloud.xyz": big, "big/test/t.xyz": "0 0 0\n" }, async (dir) => {
      const first = await pushFolder(store, dir, "shapes");
      assertEquals(first.uploaded, 2);
      const etag = (await store.head(`${P}big/train/cloud.xyz`)).etag;
      assert(etag.endsWith("-2"), etag);
      const counted = countingStore(store);
      const second = await pushFolder(counted.store, dir, "shapes");
      assertEquals([second.skipped, counted.counts.put], [2, 0]);
    });
  },
);

s3Test("deno task cgml dataset push and ls use the configured S3 store", async (server) => {
  const cli = new URL("../cli.ts", import.meta.url).pathname;
  const cgml = async (args: string[], env: Record<string, string>) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", cli, "dataset", ...args],
      env,
      stdin: "null",
    }).output();
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
  };
  await withFolder(modelnetFiles(["chair", "desk"]), async (dir) => {
    const env = storeEnv(server, "pushed");
    const pushed = await cgml(["push", dir, "shapes", "--jobs", "2"], env);
    assertEquals(pushed.code, 0, pushed.stderr);
    assert(pushed.stdout.includes("8 uploaded"), pushed.stdout);
    assert(pushed.stdout.includes("dataset.root=s3://pushed/datasets/shapes/"), pushed.stdout);
    assert(/push shapes: 8\/8 files/.test(pushed.stderr), pushed.stderr);
    assertEquals((await listObjects(await storeOn(server, "pushed"), P)).length, 8);
    const again = await cgml(["push", dir, "shapes"], env);
    assert(again.stdout.includes("0 uploaded (0 B), 8 unchanged"), again.stdout);
    const ls = await cgml(["ls", "shapes"], env);
    assertEquals(ls.code, 0, ls.stderr);
    assert(/chair\s+2 \(/.test(ls.stdout) && ls.stdout.includes("from listing, hash "), ls.stdout);
    const refused = await cgml(["push", dir, "shapes"], { ...env, CGML_S3_ACCESS_KEY: "" });
    assertEquals(refused.code, 2);
    assert(refused.stderr.includes("CGML_S3_ACCESS_KEY"), refused.stderr);
  });
});
