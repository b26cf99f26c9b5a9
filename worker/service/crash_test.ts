/**
 * [subprocess crash] Real `deno run worker/main.ts` processes share one store: 4 workers run 40
 * short jobs (synthetic meshes → sampled point clouds) while 2 of them are SIGKILLed mid-job
 * (and, against real MinIO, the server restarts mid-run). Every job must end `succeeded`, be
 * committed exactly once — counted from the `job <id>: succeeded` lines every worker prints
 * right after its commit — and none may be lost.
 */

import { assert, assertEquals } from "../../testing/assert.ts";
import { minioTest } from "../../infra/testing/minio.ts";
import { FsStore, MinioStore, type ObjectStore, Queue } from "../../infra/mod.ts";
import { prepareJob } from "../../pipelines/mod.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const JOBS = 40;
const WORKERS = 4;
const LEASE_SECONDS = 3;

/** A cheap real pipeline: ~0.5 s of CPU per job, a few MB in the store. */
const PIPELINE = {
  version: 1,
  name: "crash-test",
  params: { seed: { type: "int", default: 0, min: 0 } },
  stages: {
    meshes: {
      uses: "dataset.synthetic_shapes@1",
      with: { classes: 2, train_per_class: 300, test_per_class: 2, seed: "${{ params.seed }}" },
    },
    shapes: {
      uses: "dataset.modelnet@1",
      with: {
        meshes: "${{ stages.meshes.outputs.meshes }}",
        points: 64,
        seed: "${{ params.seed }}",
      },
    },
  },
  outputs: { shapes: "${{ stages.shapes.outputs.shapes }}" },
};

/** One worker process and what its log said so far. */
class WorkerProcess {
  readonly child: Deno.ChildProcess;
  /** Job ids in the order their attempts started, and when (ms). */
  readonly started: { id: string; at: number }[] = [];
  /** Job ids this worker committed. */
  readonly committed: string[] = [];
  readonly lines: string[] = [];
  readonly done: Promise<void>;

  constructor(readonly name: string, env: Record<string, string>) {
    this.child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN],
      env: { ...env, CGML_WORKER_CONCURRENCY: "1", CGML_INBOX_SCAN_SECONDS: "0" },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    this.done = this.#read();
  }

  /** The job this worker runs now, if any. */
  get current(): { id: string; at: number } | undefined {
    const last = this.started.at(-1);
    return last !== undefined && !this.committed.includes(last.id) ? last : undefined;
  }

  async #read(): Promise<void> {
    let rest = "";
    for await (const chunk of this.child.stderr.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split(/[\r\n]/);
      rest = parts.pop()!;
      for (const line of parts) this.#line(line);
    }
    this.#line(rest);
  }

  #line(line: string): void {
    line = line.replaceAll("\x1b[K", "");
    if (line.trim() === "") return;
    this.lines.push(line);
    const m = /^job (\S+): (attempt \d+ started|succeeded)$/.exec(line);
    if (m?.[2] === "succeeded") this.committed.push(m[1]);
    else if (m) this.started.push({ id: m[1], at: performance.now() });
  }
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms: number) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`Cannot wait longer for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Enqueues the jobs, starts the workers, kills two of them mid-job once a fifth of the jobs are
 * committed, calls `midRun` once half are, and checks the outcome.
 */
async function runFleet(
  store: ObjectStore,
  env: Record<string, string>,
  midRun: () => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  const queue = await Queue.open(store);
  const ids: string[] = [];
  for (let seed = 0; seed < JOBS; seed++) {
    const prepared = await prepareJob({ store }, { pipeline: PIPELINE, params: { seed } });
    assert(prepared.ok, "the crash-test pipeline compiles");
    ids.push((await queue.enqueue(prepared.payload)).id);
  }
  const workers = Array.from(
    { length: WORKERS },
    (_, i) =>
      new WorkerProcess(`w${i}`, {
        ...env,
        CGML_LEASE_SECONDS: String(LEASE_SECONDS),
        CGML_WORK_DIR: `${env.CGML_WORK_DIR}/w${i}`,
      }),
  );
  const commits = () => workers.reduce((n, w) => n + w.committed.length, 0);
  const killed: { worker: WorkerProcess; job: string }[] = [];
  try {
    await until("the first commits", () => commits() >= JOBS / 5, 60_000);
    // Kill two workers that are at least 100 ms into a job: far from its commit.
    await until("two workers mid-job", () => {
      for (const w of workers) {
        const job = w.current;
        if (
          killed.length < 2 && job && performance.now() - job.at > 100 &&
          !killed.some((k) => k.worker === w)
        ) {
          w.child.kill("SIGKILL");
          killed.push({ worker: w, job: job.id });
        }
      }
      return killed.length === 2;
    }, 20_000);
    await until("half of the commits", () => commits() >= JOBS / 2, 60_000);
    await midRun();
    await until("every job to end", async () => {
      const statuses = await Promise.all(ids.map((id) => queue.get(id)));
      return statuses.every((s) => s?.status === "succeeded" || s?.status === "failed");
    }, 60_000);
  } finally {
    for (const w of workers) {
      if (!killed.some((k) => k.worker === w)) w.child.kill("SIGTERM");
    }
    await Promise.all(workers.map((w) => w.child.status));
    await Promise.all(workers.map((w) => w.done));
  }
  const statuses = await Promise.all(ids.map((id) => queue.get(id)));
  const failed = statuses.filter((s) => s?.status !== "succeeded");
  assertEquals(
    failed.map((s) => `${s?.id}: ${s?.status} ${s?.error?.message ?? ""}`),
    [],
    "every job succeeded",
  );
  const committers = new Map<string, string[]>();
  for (const w of workers) {
    for (const id of w.committed) committers.set(id, [...(committers.get(id) ?? []), w.name]);
  }
  const notOnce = ids.filter((id) => committers.get(id)?.length !== 1);
  assertEquals(notOnce.map((id) => `${id}: ${committers.get(id) ?? []}`), [], "one commit each");
  assertEquals(commits(), JOBS);
  for (const { worker, job } of killed) {
    assert(!worker.committed.includes(job), `${worker.name} was killed before committing ${job}`);
    const status = statuses[ids.indexOf(job)]!;
    assert(status.attempts >= 2, `${job}, whose worker was killed, was taken over`);
    assert((await store.list(`jobs/${job}/`)).items.length > 0, `${job} has its artifacts`);
  }
  const survivors = workers.filter((w) => !killed.some((k) => k.worker === w));
  for (const w of survivors) {
    assertEquals((await w.child.status).code, 0, `${w.name} exits cleanly on SIGTERM`);
  }
}

Deno.test({
  name: "[subprocess crash] 4 workers, 40 jobs, 2 SIGKILLed mid-job: all succeed, one commit each",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "cgml-crash-" });
    try {
      const store = await FsStore.open(`${dir}/store`);
      await runFleet(store, { CGML_STORE: `file://${dir}/store`, CGML_WORK_DIR: `${dir}/work` });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

minioTest(
  "[subprocess crash] 4 workers, 40 jobs, 2 SIGKILLed, MinIO restarted mid-run: workers recover",
  async (server) => {
    const dir = await Deno.makeTempDir({ prefix: "cgml-crash-" });
    try {
      const bucket = "crash-test";
      const store = await MinioStore.open({
        endpoint: server.url,
        bucket,
        accessKey: server.rootUser,
        secretKey: server.rootPassword,
      });
      await runFleet(store, {
        CGML_STORE: server.url,
        CGML_BUCKET: bucket,
        CGML_S3_ACCESS_KEY: server.rootUser,
        CGML_S3_SECRET_KEY: server.rootPassword,
        CGML_WORK_DIR: `${dir}/work`,
      }, () => server.restart());
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
