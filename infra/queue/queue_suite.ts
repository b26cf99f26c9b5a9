/**
 * Behaviour suite of the job queue, run against every store backend by the queue test files.
 *
 * @module
 */

import { assert, assertEquals, assertRejects } from "../../testing/assert.ts";
import { loseResponses } from "../store/_testing.ts";
import type { ObjectStore } from "../store/types.ts";
import { CorruptRecordError, LeaseLostError } from "./errors.ts";
import { Queue, type QueueOptions } from "./queue.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs every queue behaviour step on `store`, each under its own prefix. */
export async function runQueueSuite(t: Deno.TestContext, store: ObjectStore): Promise<void> {
  const open = (options: QueueOptions = {}) =>
    Queue.open(store, {
      prefix: `q-${crypto.randomUUID().slice(0, 8)}/`,
      heartbeatMs: 0,
      ...options,
    });

  await t.step("enqueue, claim, progress, heartbeat, complete", async () => {
    const q = await open();
    const { id, created } = await q.enqueue({ pipeline: "demo" }, { source: "inbox/a.yaml" });
    assert(created);
    assertEquals((await q.get(id))?.status, "queued");
    const job = await q.claim();
    assert(job !== null, "a job was claimed");
    assertEquals([job.id, job.attempt, job.epoch], [id, 1, 1]);
    assertEquals(job.job.payload, { pipeline: "demo" });
    assertEquals((await q.get(id))?.status, "running");
    job.progress({ fraction: 0.5, stage: "train", message: "epoch 5/10" });
    await job.heartbeat();
    assertEquals((await q.get(id))?.progress, {
      fraction: 0.5,
      stage: "train",
      message: "epoch 5/10",
    });
    await job.complete({ artifacts: ["jobs/x/report.html"] });
    const done = await q.get(id);
    assertEquals(done?.status, "succeeded");
    assertEquals(done?.result, { artifacts: ["jobs/x/report.html"] });
    assertEquals(done?.source, "inbox/a.yaml");
    assertEquals(await q.claim(), null);
    assertEquals((await store.list(`${q.prefix}pending/`)).items, []);
    await assertRejects(() => job.heartbeat(), LeaseLostError, "finished");
  });

  await t.step("claims go oldest first and never hand out a job twice", async () => {
    const q = await open();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await q.enqueue({ i })).id);
    assertEquals((await q.claim())?.id, ids[0]);
    const rivals = await Promise.all([q.claim(), q.claim(), q.claim(), q.claim()]);
    const claimed = rivals.flatMap((c) => (c ? [c.id] : []));
    assertEquals(claimed.sort(), ids.slice(1), "each remaining job claimed exactly once");
    assertEquals(await q.claim(), null);
  });

  await t.step("an idempotency key maps every enqueue to one job", async () => {
    const q = await open();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => q.enqueue({ x: 1 }, { idempotencyKey: "inbox/run.yaml@e1" })),
    );
    assertEquals(new Set(results.map((r) => r.id)).size, 1);
    assertEquals(results.filter((r) => r.created).length, 1);
    const other = await q.enqueue({ x: 1 }, { idempotencyKey: "inbox/run.yaml@e2" });
    assert(other.id !== results[0].id);
    assertEquals((await q.list()).jobs.length, 2);
  });

  await t.step("failed attempts back off, then the job fails with its error kept", async () => {
    // Jitter pinned near its top: each retry waits just under 300 ms.
    const q = await open({ retryBaseMs: 300, retryCapMs: 300, maxAttempts: 3, random: () => 0.99 });
    const { id } = await q.enqueue("payload");
    for (let attempt = 1; attempt <= 3; attempt++) {
      let job = await q.claim();
      if (attempt > 1) {
        assertEquals(job, null, "the backoff delays the retry");
        await sleep(320);
        job = await q.claim();
      }
      assert(job !== null);
      assertEquals(job.attempt, attempt);
      const outcome = await job.fail(new RangeError(`boom ${attempt}`));
      assertEquals(outcome, attempt < 3 ? "queued" : "failed");
    }
    const status = await q.get(id);
    assertEquals(status?.status, "failed");
    assertEquals(status?.attempts, 3);
    assertEquals(status?.error?.message, "boom 3");
    assertEquals(status?.error?.name, "RangeError");
    assertEquals(await q.claim(), null);
  });

  await t.step("fail without retry is final at once", async () => {
    const q = await open();
    const { id } = await q.enqueue({});
    const job = await q.claim();
    assertEquals(await job!.fail("unknown pipeline 'x'", { retry: false }), "failed");
    assertEquals((await q.get(id))?.error?.message, "unknown pipeline 'x'");
  });

  await t.step("cancel: a queued job never runs, a running one loses its lease", async () => {
    const q = await open({ leaseMs: 3000, heartbeatMs: 100 });
    const { id: queuedId } = await q.enqueue({ n: 1 });
    assertEquals((await q.cancel(queuedId))?.status, "cancelled");
    assertEquals(await q.claim(), null);
    const { id } = await q.enqueue({ n: 2 });
    const job = await q.claim();
    assertEquals(job?.id, id);
    const aborted = new Promise<unknown>((resolve) => {
      const onAbort: EventListener = () => resolve(job!.signal.reason);
      job!.signal.addEventListener("abort", onAbort);
    });
    assertEquals((await q.cancel(id))?.status, "cancelled");
    const reason = await aborted;
    assert(reason instanceof LeaseLostError && reason.reason === "cancelled", String(reason));
    await assertRejects(() => job!.complete("late"), LeaseLostError);
    assertEquals((await q.get(id))?.status, "cancelled");
    assertEquals((await q.cancel(id))?.status, "cancelled", "cancel is idempotent");
    assertEquals(await q.cancel("no-such-job"), null);
  });

  await t.step("an expired lease is stolen and the old holder is fenced", async () => {
    const prefix = `q-${crypto.randomUUID().slice(0, 8)}/`;
    const a = await Queue.open(store, { prefix, owner: "a", leaseMs: 300, heartbeatMs: 0 });
    const b = await Queue.open(store, { prefix, owner: "b", leaseMs: 300, heartbeatMs: 0 });
    const { id } = await a.enqueue({});
    const held = await a.claim();
    assert(held !== null);
    assertEquals(await b.claim(), null, "first sight of a live lease");
    await held.heartbeat();
    await sleep(320);
    assertEquals(await b.claim(), null, "the lease changed since: still alive");
    await sleep(320);
    const stolen = await b.claim();
    assert(stolen !== null, "stolen after a whole lease without heartbeat");
    assertEquals([stolen.attempt, stolen.epoch], [2, 2]);
    await assertRejects(() => held.heartbeat(), LeaseLostError, "stolen");
    assert(held.signal.aborted);
    await assertRejects(() => held.complete("from a"), LeaseLostError);
    await stolen.complete("from b");
    const status = await a.get(id);
    assertEquals([status?.status, status?.result], ["succeeded", "from b"]);
    assertEquals(status?.error?.name, "LeaseExpired");
  });

  await t.step("a lease that expires on the last attempt fails the job", async () => {
    const prefix = `q-${crypto.randomUUID().slice(0, 8)}/`;
    const q = await Queue.open(store, { prefix, leaseMs: 200, heartbeatMs: 0, maxAttempts: 1 });
    const { id } = await q.enqueue({});
    assert((await q.claim()) !== null);
    assertEquals(await q.claim(), null);
    await sleep(230);
    assertEquals(await q.claim(), null);
    const status = await q.get(id);
    assertEquals(status?.status, "failed");
    assert(status?.error?.message.includes("no attempts left"), status?.error?.message);
  });

  await t.step("release gives the job back without using an attempt", async () => {
    const q = await open();
    await q.enqueue({});
    const first = await q.claim();
    await first!.release();
    const again = await q.claim();
    assertEquals(again?.attempt, 1);
    assertEquals(again?.epoch, 2);
    await again!.complete();
  });

  await t.step("a write whose response was lost is recognised and adopted", async () => {
    const prefix = `q-${crypto.randomUUID().slice(0, 8)}/`;
    let lost = 0;
    const flaky = loseResponses(store, (key, options) => {
      if (lost > 0 || !key.startsWith(`${prefix}state/`) || !options.ifMatch) return false;
      lost++;
      return true;
    });
    const q = await Queue.open(flaky, { prefix, heartbeatMs: 0 });
    const { id } = await q.enqueue({});
    const job = await q.claim();
    await job!.heartbeat();
    assertEquals(lost, 1);
    await job!.complete("ok");
    assertEquals((await q.get(id))?.status, "succeeded");
  });

  await t.step("a damaged record blocks only its own job", async () => {
    const q = await open();
    const { id: bad } = await q.enqueue({ n: 1 });
    const { id: good } = await q.enqueue({ n: 2 });
    await store.put(`${q.prefix}state/${bad}.json`, "{not json");
    assertEquals((await q.claim())?.id, good);
    await assertRejects(() => q.get(bad), CorruptRecordError, `state/${bad}.json: not JSON`);
  });

  await t.step("list filters by status and source and pages", async () => {
    const q = await open();
    const ids = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await q.enqueue({ i }, { source: i % 2 ? "inbox/odd" : "inbox/even" })).id);
    }
    const job = await q.claim();
    await job!.complete();
    const page1 = await q.list({ limit: 2 });
    assertEquals(page1.jobs.map((j) => j.id), ids.slice(0, 2));
    const page2 = await q.list({ limit: 2, after: page1.next });
    assertEquals(page2.jobs.map((j) => j.id), ids.slice(2, 4));
    const page3 = await q.list({ limit: 2, after: page2.next });
    assertEquals([page3.jobs.map((j) => j.id), page3.next], [ids.slice(4), undefined]);
    assertEquals((await q.list({ status: "succeeded" })).jobs.map((j) => j.id), [ids[0]]);
    assertEquals((await q.list({ source: "inbox/odd" })).jobs.map((j) => j.id), [ids[1], ids[3]]);
    assertEquals(await q.get("../../etc/passwd"), null);
    assertEquals(await q.get("20990101T000000000Z-00000000"), null);
  });
}
