import { assertEquals, assertRejects } from "../../testing/assert.ts";
import { createStore } from "./create.ts";
import { StoreError } from "./errors.ts";
import { FsStore } from "./fs_store.ts";

Deno.test("createStore opens a filesystem store from a file URL", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cgml create store " });
  try {
    const store = await createStore(new URL(`file://${dir}/sub`).href);
    assertEquals(store.kind, "fs");
    assertEquals((store as FsStore).root, `${dir}/sub`);
    await store.put("a/b.txt", "x");
    assertEquals(await Deno.readTextFile(`${dir}/sub/a/b.txt`), "x");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createStore refuses unusable URLs with a clear error", async () => {
  await assertRejects(() => createStore("not a url"), StoreError, "is not a URL");
  await assertRejects(() => createStore("s3://bucket"), StoreError, "unsupported scheme");
  await assertRejects(() => createStore("file://host/x"), StoreError, "file:///absolute/path");
  await assertRejects(
    () => createStore("http://127.0.0.1:9/bucket", { accessKey: "a", secretKey: "b" }),
    StoreError,
    "host:port only",
  );
  await assertRejects(() => createStore("http://127.0.0.1:9"), StoreError, "access key");
});
