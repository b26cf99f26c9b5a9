import { assert, assertEquals } from "../../testing/assert.ts";
import { FsStore, Queue } from "../../infra/mod.ts";
import { prepareJob } from "../../pipelines/mod.ts";
import type { StageImpl } from "../stages/mod.ts";
import { createPipelineRunner } from "./pipeline_runner.ts";
import { WorkerService } from "./service.ts";

const PIPELINE = {
  version: 1,
  name: "slow",
  params: { epochs: { type: "int", default: 40, min: 1 } },
  stages: {
    data: { uses: "toy.data@1", with: { pairs: 16, truth: 4 } },
    train: {
      uses: "toy.train@1",
      with: {
        data: "${{ stages.data.outputs.data }}",
        model: "l1",
        epochs: "${{ params.epochs }}",
      },
    },
  },
  outputs: { model: "${{ stages.train.outputs.model }}" },
};

/** `train` sleeps 40 ms per epoch, checkpoints every epoch and stops when aborted. */
function slowStages(log: string[]): Record<string, StageImpl> {
  const bytes = (text: string) => new TextEncoder().encode(text);
  return {
    "toy.data@1": () => Promise.resolve({ data: bytes("data") }),
    "toy.train@1": async (ctx) => {
      const epochs = ctx.params.epochs as number;
      const first = await Deno.readTextFile(ctx.checkpoint).then(Number, () => 0);
      for (let epoch = first; epoch < epochs; epoch++) {
        if (ctx.signal?.aborted) log.push(`aborted after ${epoch}`);
        ctx.signal?.throwIfAborted();
        await new Promise((r) => setTimeout(r, 40));
        ctx.progress({ unit: "epoch", done: epoch + 1, total: epochs, loss: 1 / (epoch + 1) });
        await Deno.writeTextFile(ctx.checkpoint, String(epoch + 1));
      }
      return { model: bytes(`resumed at ${first}`), curves: bytes("{}") };
    },
  };
}

async function withService(
  fn: (f: {
    queue: Queue;
    store: FsStore;
    worker: () => WorkerService;
    log: string[];
    id: string;
  }) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cgml-runner-" });
  try {
    const store = await FsStore.open(`${dir}/store`);
    const queue = await Queue.open(store, { leaseMs: 3000, heartbeatMs: 100, progressMs: 20 });
    const log: string[] = [];
    const run = createPipelineRunner({ workDir: `${dir}/work`, stages: slowStages(log) });
    const worker = () =>
      new WorkerService({
        store,
        queue,
        bucket: "cgml",
        run,
        pollMs: 10,
        scanMs: 0,
        graceMs: 5000,
        log: () => {},
      });
    const prepared = await prepareJob({ store }, { pipeline: PIPELINE, params: {} });
    assert(prepared.ok);
    const id = (await queue.enqueue(prepared.payload)).id;
    await fn({ queue, store, worker, log, id });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function until(cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("Cannot wait longer: condition not met");
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test("the job status shows structured progress; stop() aborts inside the epochs, and the next worker resumes", async () => {
  await withService(async ({ queue, store, worker, log, id }) => {
    const first = worker();
    first.start();
    await until(async () => ((await queue.get(id))?.progress?.epoch as number ?? 0) >= 3);
    const progress = (await queue.get(id))!.progress!;
    assertEquals([progress.stage, progress.phase, progress.unit, progress.epochs], [
      "train",
      "running",
      "epoch",
      40,
    ]);
    assert(progress.fraction! > 0.5 && progress.fraction! < 1, `fraction ${progress.fraction}`);
    assert(typeof progress.loss === "number" && typeof progress.message === "string");
    const stopping = performance.now();
    await first.stop();
    assert(performance.now() - stopping < 1000, "stop() waited for the whole stage");
    assertEquals(first.stats.released, 1);
    assertEquals(log.length, 1);
    const stoppedAt = Number(log[0].split(" ").at(-1));

    const second = worker();
    second.start();
    await until(async () => (await queue.get(id))?.status === "succeeded");
    await second.stop();
    const model = new TextDecoder().decode((await store.get(`jobs/${id}/model.bin`)).body);
    assertEquals(model, `resumed at ${stoppedAt}`);
    const done = (await queue.get(id))!;
    assertEquals([done.attempts, done.progress?.fraction], [1, 1]);
  });
});

Deno.test("cancelling a running job stops its pipeline within an epoch", async () => {
  await withService(async ({ queue, worker, log, id }) => {
    const w = worker();
    w.start();
    await until(async () => ((await queue.get(id))?.progress?.epoch as number ?? 0) >= 2);
    const cancelled = performance.now();
    await queue.cancel(id);
    await until(() => Promise.resolve(log.length === 1));
    assert(performance.now() - cancelled < 1000, "the stage did not stop promptly");
    await until(() => Promise.resolve(w.stats.lost === 1));
    await w.stop();
    assertEquals((await queue.get(id))?.status, "cancelled");
  });
});
