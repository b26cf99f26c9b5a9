import { assert, assertEquals, assertRejects } from "../../testing/assert.ts";
import { ignoreConditions } from "../store/_testing.ts";
import { s3Test, storeOn } from "../s3/_testing.ts";
import { FsStore } from "../store/fs_store.ts";
import type { ObjectStore } from "../store/types.ts";
import { retryDelayMs } from "./backoff.ts";
import { QueueError } from "./errors.ts";
import { newJobId, Queue } from "./queue.ts";
import { runQueueSuite } from "./queue_suite.ts";

async function withFsStore(fn: (store: FsStore) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cgml-queue-" });
  try {
    await fn(await FsStore.open(dir));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("queue behaviours on the filesystem store", async (t) => {
  await withFsStore((store) => runQueueSuite(t, store));
});

s3Test("queue behaviours on the S3 store", async (server, t) => {
  await runQueueSuite(t, await storeOn(server, "queue"));
});

async function expectBrokenStoreRefused(store: ObjectStore): Promise<void> {
  await assertRejects(
    () => Queue.open(ignoreConditions(store)),
    QueueError,
    "does not enforce conditional writes",
  );
  assertEquals((await store.list("")).items, [], "the probe cleans up");
}

Deno.test("the queue refuses a store that ignores conditional writes [filesystem]", async () => {
  await withFsStore(expectBrokenStoreRefused);
});

s3Test("the queue refuses a store that ignores conditional writes", async (server) => {
  await expectBrokenStoreRefused(await storeOn(server, "broken"));
});

Deno.test("queue options are validated", async () => {
  await withFsStore(async (store) => {
    await assertRejects(() => Queue.open(store, { prefix: "q" }), QueueError, "end with '/'");
    await assertRejects(() => Queue.open(store, { leaseMs: 0 }), QueueError, "leaseMs");
    await assertRejects(() => Queue.open(store, { leaseMs: 100, heartbeatMs: 100 }), QueueError);
    await assertRejects(() => Queue.open(store, { maxAttempts: 0 }), QueueError, "maxAttempts");
    const q = await Queue.open(store);
    await assertRejects(() => q.enqueue(undefined), QueueError, "undefined");
    await assertRejects(() => q.enqueue({ n: 1n }), QueueError, "not JSON");
    await assertRejects(() => q.enqueue({}, { idempotencyKey: "" }), QueueError);
    await assertRejects(() => q.list({ after: "../x" }), QueueError);
  });
});

Deno.test("retry backoff doubles, is capped and jittered into [d/2, d)", () => {
  const at = (attempt: number, r: number) =>
    retryDelayMs(attempt, { baseMs: 100, capMs: 1000, random: () => r });
  assertEquals([at(1, 0), at(2, 0), at(3, 0), at(4, 0), at(5, 0), at(9, 0)], [
    50,
    100,
    200,
    400,
    500,
    500,
  ]);
  assertEquals(at(3, 0.999), 400);
  for (let i = 0; i < 100; i++) {
    const d = retryDelayMs(20, { baseMs: 100, capMs: 1000 });
    assert(d >= 500 && d <= 1000, `delay ${d} within the capped band`);
  }
});

Deno.test("job ids made in one millisecond still sort by creation", () => {
  const ids = Array.from({ length: 2000 }, () => newJobId());
  for (let i = 1; i < ids.length; i++) {
    assert(ids[i - 1] < ids[i], `${ids[i - 1]} then ${ids[i]}`);
    assert(/^\d{8}T\d{9}Z-[0-9a-f]{8}$/.test(ids[i]), ids[i]);
  }
});
