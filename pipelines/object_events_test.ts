import { assert, assertEquals } from "../testing/assert.ts";
import { FsStore, type ObjectStore, Queue } from "../infra/mod.ts";
import type { JobPayload } from "./jobs.ts";
import {
  type ObjectEventDeps,
  type ObjectEventOutcome,
  submitObjectEvent,
  type TriggerOutcome,
} from "./object_events.ts";
import { TriggerIndexCache } from "./trigger_index.ts";
import { matchesAnyTrigger } from "./trigger_match.ts";
import { pipelineText } from "./_testing.ts";

const DROP = pipelineText(
  "drop",
  `  - key: datasets/*/_READY
    params:
      data: { csv: "s3://\${{ trigger.bucket }}/\${{ trigger.prefix }}rows.csv" }`,
);

async function withService(
  fn: (deps: ObjectEventDeps, store: ObjectStore) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    const store = await FsStore.open(dir);
    const queue = await Queue.open(store, { heartbeatMs: 0 });
    await fn({ store, queue, bucket: "cgml", triggers: new TriggerIndexCache() }, store);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function triggered(outcome: ObjectEventOutcome): Extract<TriggerOutcome, { kind: "triggered" }> {
  assert(outcome.kind === "triggered", JSON.stringify(outcome));
  return outcome as Extract<TriggerOutcome, { kind: "triggered" }>;
}

/** The reconcile scan as the worker runs it: list the index's prefixes, submit what matches. */
async function scan(deps: ObjectEventDeps): Promise<ObjectEventOutcome[]> {
  const index = await deps.triggers.current(deps.store);
  const out: ObjectEventOutcome[] = [];
  for (const prefix of index.prefixes) {
    let startAfter: string | undefined;
    do {
      const page = await deps.store.list(prefix, { startAfter });
      for (const item of page.items) {
        if (matchesAnyTrigger(index, item.key)) out.push(await submitObjectEvent(deps, item.key));
      }
      startAfter = page.next;
    } while (startAfter);
  }
  return out;
}

Deno.test("1 000 uploaded files and their marker start one job, by webhook and by scan", async () => {
  await withService(async (deps, store) => {
    await store.put("pipelines/drop.yaml", DROP);
    const etags = new Map<string, string>();
    for (let i = 0; i < 1000; i++) {
      const key = `datasets/shapes/c${i % 10}/train/m${i}.off`;
      etags.set(key, (await store.put(key, `OFF\n${i}\n`)).etag);
    }
    const ready = "datasets/shapes/_READY";
    etags.set(ready, (await store.put(ready, "upload 1")).etag);
    const outcomes = [];
    for (const [key, etag] of etags) outcomes.push(await submitObjectEvent(deps, key, `"${etag}"`));
    const started = outcomes.filter((o) => o.kind === "triggered");
    assertEquals(started.length, 1);
    assertEquals(outcomes.filter((o) => o.kind === "ignored").length, 1000);
    const [job] = triggered(started[0]).jobs;
    assert(job.kind === "enqueued" && job.created);
    const { jobs } = await deps.queue.list();
    assertEquals(jobs.length, 1);
    assertEquals(jobs[0].source, ready);
    const payload = (await deps.queue.get(job.id))!.payload as JobPayload;
    assertEquals(payload.pipeline, "drop");
    assertEquals(payload.params, { data: { csv: "s3://cgml/datasets/shapes/rows.csv" } });
    assertEquals(payload.text, DROP);

    const again = triggered(await submitObjectEvent(deps, ready, etags.get(ready)));
    assertEquals(again.jobs, [{ pipeline: "drop", kind: "enqueued", id: job.id, created: false }]);
    const scanned = await scan(deps);
    assertEquals(scanned.length, 1, "the scan submits the marker only");
    assertEquals(triggered(scanned[0]).jobs[0], { ...again.jobs[0] });
    assertEquals((await deps.queue.list()).jobs.length, 1);
  });
});

Deno.test("a new marker version starts a new job; a stale event or a deleted marker starts none", async () => {
  await withService(async (deps, store) => {
    await store.put("pipelines/drop.yaml", DROP);
    const ready = "datasets/a/_READY";
    const first = (await store.put(ready, "1")).etag;
    const one = triggered(await submitObjectEvent(deps, ready, first)).jobs[0];
    assert(one.kind === "enqueued");
    const same = (await store.put(ready, "1")).etag;
    assertEquals(same, first, "the same bytes keep the ETag");
    assertEquals(triggered(await submitObjectEvent(deps, ready, same)).jobs[0], {
      ...one,
      created: false,
    });
    const second = (await store.put(ready, "2")).etag;
    assertEquals(await submitObjectEvent(deps, ready, first), {
      kind: "ignored",
      reason: "a newer version of the object exists",
    });
    const two = triggered(await submitObjectEvent(deps, ready, second)).jobs[0];
    assert(two.kind === "enqueued" && two.created && two.id !== one.id);
    await store.delete(ready);
    assertEquals(await submitObjectEvent(deps, ready, second), { kind: "gone" });
    assertEquals((await deps.queue.list()).jobs.length, 2);
  });
});

Deno.test("a written pipeline reloads the triggers; two pipelines on one marker start two jobs", async () => {
  await withService(async (deps, store) => {
    await store.put("pipelines/drop.yaml", DROP);
    const ready = "datasets/a/_READY";
    const etag = (await store.put(ready, "1")).etag;
    assertEquals(triggered(await submitObjectEvent(deps, ready, etag)).jobs.length, 1);
    await store.put(
      "pipelines/tagged.yaml",
      pipelineText(
        "tagged",
        '  - key: datasets/a/_READY\n    params: { tag: "${{ trigger.prefix }}" }',
      ),
    );
    assertEquals((await submitObjectEvent(deps, "pipelines/tagged.yaml")).kind, "ignored");
    const both = triggered(await submitObjectEvent(deps, ready, etag)).jobs;
    assertEquals(both.map((j) => [j.pipeline, j.kind === "enqueued" && j.created]), [
      ["drop", false],
      ["tagged", true],
    ]);
    const jobs = (await deps.queue.list()).jobs;
    assertEquals(jobs.length, 2);
    const tagged = jobs.map((j) => j.payload as JobPayload).find((p) => p.pipeline === "tagged")!;
    assertEquals(tagged.params, { tag: "datasets/a/" });
  });
});

Deno.test("a job that cannot start leaves a note and enqueues nothing; inbox keys still go to the inbox", async () => {
  await withService(async (deps, store) => {
    const broken = pipelineText("old", "  - key: datasets/*/_READY").replace(
      "toy.data@1",
      "toy.gone@1",
    );
    await store.put("pipelines/old.yaml", broken);
    const ready = "datasets/a/_READY";
    const etag = (await store.put(ready, "1")).etag;
    const [job] = triggered(await submitObjectEvent(deps, ready, etag)).jobs;
    assert(job.kind === "rejected" && job.error.includes("toy.gone"), JSON.stringify(job));
    const note = JSON.parse(
      new TextDecoder().decode(
        (await store.get("triggers-rejected/old/datasets/a/_READY.json")).body,
      ),
    );
    assertEquals([note.key, note.etag, note.pipeline, note.pattern], [
      ready,
      etag,
      "old",
      "datasets/*/_READY",
    ]);
    assertEquals((await deps.queue.list()).jobs.length, 0);
    const request = "pipeline: toy-multimodal\nparams: { epochs: 1 }\n";
    const inboxEtag = (await store.put("inbox/run.yaml", request)).etag;
    const inbox = await submitObjectEvent(deps, "inbox/run.yaml", `"${inboxEtag}"`);
    assertEquals(inbox.kind, "enqueued");
    const refused = await submitObjectEvent(deps, "datasets/../a/_READY", "e");
    assertEquals(refused.kind, "refused");
    assertEquals(await submitObjectEvent(deps, "queue/state/x.json", "e"), {
      kind: "ignored",
      reason: "written by the service itself",
    });
  });
});
