import { assert, assertEquals } from "../../testing/assert.ts";
import { FsStore, Queue } from "../../infra/mod.ts";
import { prepareJob } from "../../pipelines/mod.ts";
import { submitInboxObject } from "../../pipelines/mod.ts";
import type { PipelineRunner, RunRequest } from "./job.ts";
import { WorkerService } from "./service.ts";

interface Fixture {
  store: FsStore;
  queue: Queue;
  worker(run: PipelineRunner, scanMs?: number): WorkerService;
  submit(params?: Record<string, unknown>): Promise<string>;
}

async function withWorker(fn: (f: Fixture) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cgml-worker-" });
  try {
    const store = await FsStore.open(dir);
    const options = {
      leaseMs: 3000,
      heartbeatMs: 100,
      progressMs: 20,
      retryBaseMs: 10,
      maxAttempts: 2,
    };
    const queue = await Queue.open(store, options);
    const worker = (run: PipelineRunner, scanMs = 0) =>
      new WorkerService({
        store,
        queue,
        bucket: "cgml",
        run,
        pollMs: 10,
        scanMs,
        graceMs: 2000,
        log: () => {},
      });
    const submit = async (params: Record<string, unknown> = {}) => {
      const prepared = await prepareJob({ store }, { pipeline: { ...parseTiny() }, params });
      assert(prepared.ok);
      return (await queue.enqueue(prepared.payload)).id;
    };
    await fn({ store, queue, worker, submit });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function parseTiny(): Record<string, unknown> {
  return {
    version: 1,
    name: "tiny",
    params: { n: { type: "int", default: 64, min: 1 } },
    stages: { data: { uses: "toy.data@1", with: { pairs: "${{ params.n }}", truth: 16 } } },
  };
}

async function until(cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("Cannot wait longer: condition not met");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A runner that writes one artifact, reports progress and returns the plan's params. */
const tinyRunner: PipelineRunner = async (r: RunRequest) => {
  r.progress({ fraction: 0.5, stage: r.plan.stages[0].id, message: "half way" });
  await new Promise((res) => setTimeout(res, 30));
  await r.store.put(`${r.prefix}result.json`, JSON.stringify(r.plan.params));
  return { params: r.plan.params };
};

Deno.test("the worker runs queued jobs to success, with progress and artifacts", async () => {
  await withWorker(async (f) => {
    const ids = [await f.submit({ n: 3 }), await f.submit({ n: 4 })];
    const seen: unknown[] = [];
    const w = f.worker(async (r) => {
      const out = await tinyRunner(r);
      seen.push((await f.queue.get(r.jobId))?.progress);
      return out;
    });
    const done = w.start();
    await until(async () => (await f.queue.list({ status: "succeeded" })).jobs.length === 2);
    await w.stop();
    await done;
    const job = await f.queue.get(ids[0]);
    assertEquals(job?.result, { params: { n: 3 } });
    assertEquals(job?.progress?.stage, "data");
    assertEquals(
      new TextDecoder().decode((await f.store.get(`jobs/${ids[1]}/result.json`)).body),
      '{"n":4}',
    );
    assertEquals(w.stats.succeeded, 2);
  });
});

Deno.test("failures retry, then dead-letter; invalid payloads fail at once", async () => {
  await withWorker(async (f) => {
    const flaky = await f.submit();
    const bad = (await f.queue.enqueue({ pipeline: "x", text: "not: a pipeline" })).id;
    const w = f.worker(() => Promise.reject(new Error("boom")));
    w.start();
    await until(async () => (await f.queue.list({ status: "failed" })).jobs.length === 2);
    await w.stop();
    const a = await f.queue.get(flaky);
    assertEquals([a?.attempts, a?.error?.message], [2, "boom"]);
    const b = await f.queue.get(bad);
    assertEquals(b?.attempts, 1);
    assert(b?.error?.message.includes('pipeline "x" is invalid'), b?.error?.message);
  });
});

Deno.test("stop() aborts a running job and releases it; another worker finishes it", async () => {
  await withWorker(async (f) => {
    const id = await f.submit();
    let started = false;
    let sawAbort = false;
    const slow = f.worker(async (r) => {
      started = true;
      await new Promise<void>((res) =>
        r.signal.addEventListener("abort", () => res(), { once: true })
      );
      sawAbort = true;
      return "partial";
    });
    slow.start();
    await until(() => Promise.resolve(started));
    await slow.stop();
    assert(sawAbort);
    const released = await f.queue.get(id);
    assertEquals([released?.status, released?.attempts, slow.stats.released], ["queued", 0, 1]);
    const fast = f.worker(tinyRunner);
    fast.start();
    await until(async () => (await f.queue.get(id))?.status === "succeeded");
    await fast.stop();
    assertEquals((await f.queue.get(id))?.attempts, 1);
  });
});

Deno.test("a cancelled job stops its pipeline and is not committed", async () => {
  await withWorker(async (f) => {
    const id = await f.submit();
    let started = false;
    const w = f.worker(async (r) => {
      started = true;
      await new Promise<void>((res) =>
        r.signal.addEventListener("abort", () => res(), { once: true })
      );
      return "late";
    });
    w.start();
    await until(() => Promise.resolve(started));
    await f.queue.cancel(id);
    await until(() => Promise.resolve(w.stats.lost === 1));
    await w.stop();
    const job = await f.queue.get(id);
    assertEquals([job?.status, job?.result], ["cancelled", undefined]);
  });
});

Deno.test("the inbox scan starts one job per request, shared with the webhook path", async () => {
  await withWorker(async (f) => {
    const { etag } = await f.store.put(
      "inbox/a.yaml",
      "pipeline: toy-multimodal\nparams: {epochs: 1}\n",
    );
    await f.store.put("inbox/b.yaml", "pipeline: nope\n");
    await f.store.put("inbox/readme.txt", "not a request");
    const hook = await submitInboxObject(
      { store: f.store, queue: f.queue, bucket: "cgml" },
      "inbox/a.yaml",
      etag,
    );
    assertEquals(hook.kind, "enqueued");
    const w = f.worker(tinyRunner);
    const first = await w.reconcile();
    assertEquals([first.enqueued, first.existing, first.rejected], [0, 1, 1]);
    const second = await w.reconcile();
    assertEquals(second.skipped, 2);
    await f.store.put("inbox/c.yml", "pipeline: toy-multimodal\n");
    assertEquals((await w.reconcile()).enqueued, 1);
    const jobs = (await f.queue.list()).jobs;
    assertEquals(jobs.map((j) => j.source).sort(), ["inbox/a.yaml", "inbox/c.yml"]);
  });
});

Deno.test("the scan starts a stored pipeline once per trigger marker version, not per file", async () => {
  await withWorker(async (f) => {
    const tiny = parseTiny() as { name: string };
    const pipeline = JSON.stringify({
      ...tiny,
      name: "on-ready",
      triggers: [{ key: "datasets/*/_READY", params: { n: 8 } }],
    });
    await f.store.put("pipelines/on-ready.yaml", pipeline);
    for (let i = 0; i < 30; i++) await f.store.put(`datasets/shapes/a/train/${i}.off`, "OFF\n");
    const w = f.worker(tinyRunner);
    assertEquals((await w.reconcile()).enqueued, 0);
    await f.store.put("datasets/shapes/_READY", "1");
    const first = await w.reconcile();
    assertEquals([first.enqueued, first.existing], [1, 0]);
    assertEquals((await w.reconcile()).enqueued, 0);
    await f.store.put("datasets/shapes/_READY", "2");
    await f.store.put("datasets/lamps/_READY", "1");
    assertEquals((await w.reconcile()).enqueued, 2);
    const jobs = (await f.queue.list()).jobs;
    assertEquals(jobs.map((j) => j.source).sort(), [
      "datasets/lamps/_READY",
      "datasets/shapes/_READY",
      "datasets/shapes/_READY",
    ]);
    assertEquals((jobs[0].payload as { params: unknown }).params, { n: 8 });
  });
});

Deno.test("the periodic scan runs while the worker serves", async () => {
  await withWorker(async (f) => {
    await f.store.put("inbox/run.yaml", "pipeline: toy-multimodal\n");
    const w = f.worker(tinyRunner, 20);
    w.start();
    await until(async () => (await f.queue.list({ status: "succeeded" })).jobs.length === 1);
    await w.stop();
    assertEquals((await f.queue.list()).jobs[0].source, "inbox/run.yaml");
  });
});
