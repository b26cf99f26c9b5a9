/**
 * [subprocess crash] Real `deno run worker/main.ts` processes share one store: 4 workers run 40
 * short jobs (synthetic meshes → sampled point clouds) while 2 of them are SIGKILLed mid-job
 * (and, on the real S3 server, the server itself is SIGKILLed and started again on its folder
 * mid-run, with the functions' `/readyz` watched). Every job must end `succeeded`, be committed
 * exactly once — counted from the `job <id>: succeeded` lines every worker prints right after
 * its commit — and none may be lost.
 */

import { assert, assertEquals } from "../../testing/assert.ts";
import { s3Test, storeEnv, storeOn } from "../../infra/s3/_testing.ts";
import { freePort } from "../../infra/s3/server.ts";
import { FsStore, type ObjectStore, Queue } from "../../infra/mod.ts";
import { prepareJob } from "../../pipelines/mod.ts";
import { CHEAP_PIPELINE, FunctionsProcess, until, WorkerProcess } from "./_testing.ts";

const JOBS = 40;
const WORKERS = 4;
const LEASE_SECONDS = 3;

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
    const prepared = await prepareJob({ store }, { pipeline: CHEAP_PIPELINE, params: { seed } });
    assert(prepared.ok, "the crash-test pipeline compiles");
    ids.push((await queue.enqueue(prepared.payload)).id);
  }
  const workers = Array.from(
    { length: WORKERS },
    (_, i) =>
      new WorkerProcess(`w${i}`, {
        ...env,
        CGML_LEASE_SECONDS: String(LEASE_SECONDS),
        CGML_INBOX_SCAN_SECONDS: "0",
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
  const attempts = statuses.reduce((n, s) => n + (s?.attempts ?? 0), 0);
  const outage = workers.flatMap((w) =>
    w.lines.filter((l) => /cannot claim|store was unavailable|answers again/.test(l))
  );
  console.log(
    `crash test: ${JOBS} jobs succeeded, ${commits()} commits, ${attempts} attempts, ` +
      `killed workers' jobs ${killed.map((k) => k.job).join(", ")} taken over; ` +
      `${outage.length} worker log lines about the store being unavailable${
        outage.length ? `, e.g.\n  ${outage.slice(0, 3).join("\n  ")}` : ""
      }`,
  );
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

s3Test(
  "[subprocess crash] 4 workers, 40 jobs, 2 SIGKILLed, the S3 server SIGKILLed and restarted",
  async (server) => {
    const dir = await Deno.makeTempDir({ prefix: "cgml-crash-" });
    const env = storeEnv(server, "crash-test");
    const store = await storeOn(server, "crash-test");
    const functions = await FunctionsProcess.start(freePort(), env);
    const readyz = async () => {
      const res = await fetch(`${functions.url}/readyz`);
      await res.body?.cancel();
      return res.status;
    };
    const seen: number[] = [];
    try {
      await runFleet(store, { ...env, CGML_WORK_DIR: `${dir}/work` }, async () => {
        seen.push(await readyz());
        const killedAt = performance.now();
        await server.kill();
        seen.push(await readyz());
        await new Promise((r) => setTimeout(r, 1500));
        await server.start();
        await until("/readyz to answer 200", async () => (await readyz()) === 200, 10_000);
        seen.push(200);
        console.log(
          `S3 server SIGKILLed and started again on its folder: /readyz 503 while down, 200 ` +
            `${((performance.now() - killedAt) / 1000).toFixed(1)} s after the kill`,
        );
      });
      assertEquals(seen, [200, 503, 200], "/readyz: up, down while killed, up after the restart");
    } finally {
      await functions.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
);
