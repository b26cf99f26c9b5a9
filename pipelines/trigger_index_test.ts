import { assertEquals } from "../testing/assert.ts";
import { FsStore, type ObjectStore } from "../infra/mod.ts";
import { TriggerIndexCache } from "./trigger_index.ts";
import { pipelineText } from "./_testing.ts";
import { wrapStore } from "../infra/store/_testing.ts";

/** The real store, counting the calls the index makes. */
function counting(store: ObjectStore) {
  const calls = { list: 0, head: 0, get: 0 };
  const wrapped = wrapStore(store, {
    get: (key) => (calls.get++, store.get(key)),
    head: (key) => (calls.head++, store.head(key)),
    list: (prefix, options) => (calls.list++, store.list(prefix, options)),
  });
  return { store: wrapped, calls };
}

async function withStore(fn: (store: ObjectStore) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(await FsStore.open(dir));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const trigger = (folder: string) => `  - key: ${folder}/*/_READY`;

Deno.test("the index is reused while fresh and re-reads only changed pipelines", async () => {
  await withStore(async (raw) => {
    const { store, calls } = counting(raw);
    await raw.put("pipelines/a.yaml", pipelineText("a", trigger("datasets")));
    await raw.put("pipelines/b.yaml", pipelineText("b", trigger("uploads")));
    await raw.put("pipelines/notes.txt", "not a pipeline");
    await raw.put("pipelines/plain.yaml", "version: 1\nname: plain\n");
    let now = 0;
    const cache = new TriggerIndexCache({ maxAgeMs: 1000, now: () => now });
    const first = await cache.current(store);
    assertEquals(first.pipelines.map((p) => p.name), ["a", "b"]);
    assertEquals(first.prefixes, ["datasets/", "uploads/"]);
    assertEquals(calls, { list: 1, head: 3, get: 3 });
    now = 999;
    assertEquals(await cache.current(store), first);
    assertEquals(calls.list, 1);
    now = 1000;
    await cache.current(store);
    assertEquals(calls, { list: 2, head: 6, get: 3 });
    await raw.put("pipelines/b.yaml", pipelineText("b", trigger("inputs")));
    cache.invalidate();
    const changed = await cache.current(store);
    assertEquals(calls, { list: 3, head: 9, get: 4 });
    assertEquals(changed.prefixes, ["datasets/", "inputs/"]);
    await raw.delete("pipelines/a.yaml");
    cache.invalidate();
    assertEquals((await cache.current(store)).pipelines.map((p) => p.name), ["b"]);
  });
});

Deno.test("callers after an invalidate do not share a load that began before it", async () => {
  await withStore(async (raw) => {
    await raw.put("pipelines/a.yaml", pipelineText("a", trigger("datasets")));
    let open!: () => void;
    const gate = new Promise<void>((resolve) => open = resolve);
    const store: ObjectStore = {
      ...counting(raw).store,
      list: async (prefix, options) => {
        const page = await raw.list(prefix, options);
        await gate;
        return page;
      },
    };
    const cache = new TriggerIndexCache();
    const names = async (p: ReturnType<typeof cache.current>) =>
      (await p).pipelines.map((x) => x.name);
    const early = cache.current(store);
    const shared = cache.current(store);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await raw.put("pipelines/b.yaml", pipelineText("b", trigger("uploads")));
    cache.invalidate();
    const late = cache.current(store);
    open();
    assertEquals(await names(early), ["a"]);
    assertEquals(await names(shared), ["a"]);
    assertEquals(await names(late), ["a", "b"]);
    assertEquals(await names(cache.current(store)), ["a", "b"]);
  });
});
