import { assert, assertEquals } from "../../testing/assert.ts";
import { FsStore } from "../store/fs_store.ts";
import { wrapStore } from "../store/_testing.ts";
import type { ObjectStore } from "../store/types.ts";
import { jobPrefix } from "./layout.ts";
import { Queue } from "./queue.ts";

async function withQueue(
  fn: (q: Queue, store: FsStore) => Promise<void>,
  leaseMs = 30_000,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cgml-removal-" });
  try {
    const store = await FsStore.open(dir);
    await fn(await Queue.open(store, { heartbeatMs: 0, leaseMs }), store);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function keys(store: ObjectStore, prefix: string): Promise<string[]> {
  return (await store.list(prefix)).items.map((i) => i.key);
}

/** Enqueues, claims and completes a job with two artifacts. */
async function finishedJob(q: Queue, store: ObjectStore, key?: string): Promise<string> {
  const { id } = await q.enqueue({ n: 1 }, { idempotencyKey: key });
  const job = await q.claim();
  assert(job?.id === id, "the job was claimed");
  await store.put(`${jobPrefix(id)}results.json`, "{}");
  await store.put(`${jobPrefix(id)}logs/run.log`, "line\n");
  await job.complete({ ok: true });
  return id;
}

Deno.test("remove deletes a finished job's record, state and artifacts, nothing else", async () => {
  await withQueue(async (q, store) => {
    const gone = await finishedJob(q, store, "api:k1");
    const kept = await finishedJob(q, store, "api:k2");
    assertEquals(await q.remove(gone), { kind: "removed", objects: 2 });
    assertEquals(await q.get(gone), null);
    assertEquals((await q.list()).jobs.map((j) => j.id), [kept]);
    assertEquals(await keys(store, jobPrefix(gone)), []);
    for (const part of ["jobs", "state", "pending"]) {
      const left = await keys(store, `${q.prefix}${part}/`);
      assert(!left.some((k) => k.includes(gone)), `${part}: ${left.join(", ")}`);
    }
    assertEquals((await keys(store, jobPrefix(kept))).length, 2, "the other job keeps its files");
    assertEquals(await q.remove(gone), { kind: "missing" }, "a second remove finds nothing");
  });
});

Deno.test("remove refuses queued and running jobs, and unknown ids", async () => {
  await withQueue(async (q) => {
    const { id } = await q.enqueue({ n: 1 });
    assertEquals(await q.remove(id), { kind: "active", status: "queued" });
    const job = await q.claim();
    assert(job !== null);
    assertEquals(await q.remove(id), { kind: "active", status: "running" });
    assertEquals((await q.get(id))?.status, "running", "the refused remove changed nothing");
    assertEquals(await q.remove("20260101T000000000Z-00000000"), { kind: "missing" });
    assertEquals(await q.remove("../escape"), { kind: "missing" });
  });
});

Deno.test("a job cancelled before any claim is removable at once", async () => {
  await withQueue(async (q) => {
    const { id } = await q.enqueue({ n: 1 });
    await q.cancel(id);
    assertEquals(await q.remove(id), { kind: "removed", objects: 0 });
    assertEquals(await q.claim(), null, "no pending marker is left to claim");
  });
});

Deno.test("a job cancelled while running is removable one lease after the cancel", async () => {
  await withQueue(async (q, store) => {
    const { id } = await q.enqueue({ n: 1 });
    const job = await q.claim();
    assert(job !== null);
    await q.cancel(id);
    const early = await q.remove(id);
    assert(early.kind === "stopping", `got ${early.kind}`);
    assert(early.retryAfterMs > 0 && early.retryAfterMs <= 400, `${early.retryAfterMs} ms`);
    // The stopping worker's last write still lands inside the prefix and is removed with it.
    await store.put(`${jobPrefix(id)}partial.json`, "{}");
    await new Promise((r) => setTimeout(r, early.retryAfterMs + 20));
    assertEquals(await q.remove(id), { kind: "removed", objects: 1 });
  }, 400);
});

Deno.test("the idempotency key of a removed job stays spent", async () => {
  await withQueue(async (q, store) => {
    const id = await finishedJob(q, store, "s3:cgml/inbox/a.yaml#e1");
    await q.remove(id);
    const again = await q.enqueue({ n: 2 }, { idempotencyKey: "s3:cgml/inbox/a.yaml#e1" });
    assertEquals(again, { id, created: false, deleted: true });
    assertEquals(await q.get(id), null, "the removed job does not come back");
    assertEquals((await q.list()).jobs, []);
    assertEquals(await q.claim(), null, "nothing new was enqueued");
    const fresh = await q.enqueue({ n: 2 }, { idempotencyKey: "s3:cgml/inbox/a.yaml#e2" });
    assert(fresh.created && fresh.id !== id, "another key still makes a job");
  });
});

Deno.test("an enqueue retry racing a remove does not bring the job back", async () => {
  await withQueue(async (q, store) => {
    const id = await finishedJob(q, store, "api:race");
    // The retry reads the live marker; the remove runs before it reads the job record.
    let armed = true;
    const racing: ObjectStore = {
      ...wrapStore(store),
      get: async (key) => {
        if (armed && key === `${q.prefix}jobs/${id}.json`) {
          armed = false;
          assertEquals((await q.remove(id)).kind, "removed");
        }
        return await store.get(key);
      },
    };
    const retrying = await Queue.open(racing, { heartbeatMs: 0 });
    const result = await retrying.enqueue({ n: 1 }, { idempotencyKey: "api:race" });
    assert(!armed, "the remove ran inside the retry");
    assertEquals(result, { id, created: false, deleted: true });
    assertEquals(await q.get(id), null);
    assertEquals(await keys(store, `${q.prefix}pending/`), []);
  });
});

Deno.test("an enqueue retry still repairs a crashed enqueue (marker without job record)", async () => {
  await withQueue(async (q, store) => {
    const { id } = await q.enqueue({ n: 1 }, { idempotencyKey: "api:crash" });
    await store.delete(`${q.prefix}jobs/${id}.json`);
    const again = await q.enqueue({ n: 1 }, { idempotencyKey: "api:crash" });
    assertEquals(again, { id, created: false });
    assertEquals((await q.get(id))?.status, "queued");
  });
});
