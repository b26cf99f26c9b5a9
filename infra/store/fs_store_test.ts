import { assert, assertEquals, assertRejects } from "../../testing/assert.ts";
import { runStoreContract } from "./contract_suite.ts";
import { InvalidKeyError, StoreError } from "./errors.ts";
import { FsStore } from "./fs_store.ts";

async function withStore(fn: (store: FsStore) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cgml-fs-store-" });
  try {
    await fn(await FsStore.open(dir));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("FsStore passes the object store contract", async (t) => {
  await withStore((store) => runStoreContract(t, store));
});

Deno.test("FsStore keeps objects as plain files under the root and nothing outside", async () => {
  await withStore(async (store) => {
    await store.put("inbox/run.yaml", "pipeline: demo\n");
    assertEquals(await Deno.readTextFile(`${store.root}/inbox/run.yaml`), "pipeline: demo\n");
    await assertRejects(
      () => store.put(".cgml-store/locks/0.lock", "x"),
      InvalidKeyError,
      "reserved",
    );
    await store.delete("inbox/run.yaml");
    const left = [];
    for await (const e of Deno.readDir(store.root)) left.push(e.name);
    assertEquals(left, [".cgml-store"], "delete prunes empty directories");
  });
});

Deno.test("FsStore refuses a key that is both an object and a prefix", async () => {
  await withStore(async (store) => {
    await store.put("a", "file");
    await assertRejects(() => store.put("a/b", "x"), StoreError, "parent of this key is an object");
    await store.delete("a");
    await store.put("a/b", "x");
    await assertRejects(() => store.put("a", "file"), StoreError, "use it as a prefix");
  });
});

Deno.test("FsStore conditional writes exclude each other across processes", async () => {
  await withStore(async (store) => {
    const script = `
      import { FsStore } from "${new URL("./fs_store.ts", import.meta.url).href}";
      const store = await FsStore.open(Deno.args[0]);
      const wins = [];
      await Promise.all(Array.from({ length: 20 }, async (_, i) => {
        try { await store.put("claims/" + i, Deno.args[1], { ifNoneMatch: "*" }); wins.push(i); }
        catch (e) { if (e.name !== "PreconditionFailedError") throw e; }
      }));
      console.log(JSON.stringify(wins));
    `;
    const run = (name: string) =>
      new Deno.Command(Deno.execPath(), {
        args: ["eval", "--no-check", "--quiet", script, store.root, name],
        stdout: "piped",
        stderr: "inherit",
      }).output();
    const outs = await Promise.all([run("p1"), run("p2"), run("p3")]);
    const wins = outs.flatMap((o) => {
      assert(o.success, "child process succeeded");
      return JSON.parse(new TextDecoder().decode(o.stdout)) as number[];
    });
    assertEquals(wins.sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i));
  });
});
