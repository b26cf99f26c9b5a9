/**
 * [real S3 end to end] "Drop a file into the bucket → job": versitygw, the functions and a worker
 * as separate processes configured as deployed. The functions start first, while the S3 server
 * is down (as in compose, where versitygw checks its webhook URL at start). Once with the
 * inbox scan off, so only the
 * server's notification → `POST /v1/events/minio` can start the job (and the same object
 * uploaded again with the same ETag must not start a second one, a new version must); once with
 * the webhook off and the scan on (the lost-notification path), plus hostile events that must be
 * refused with 4xx and enqueue nothing.
 */

import { assert, assertEquals } from "../../testing/assert.ts";
import { s3Test, storeEnv, storeOn } from "../../infra/s3/_testing.ts";
import { freePort, type S3Server, webhookUrl } from "../../infra/s3/server.ts";
import type { JobStatus, ObjectStore } from "../../infra/mod.ts";
import { CHEAP_PIPELINE, FunctionsProcess, until, WorkerProcess } from "./_testing.ts";

const TOKEN = "webhook-token-e2e-0123456789";
const BUCKET = "inbox-e2e";

/** An inbox request (YAML accepts JSON) running the cheap pipeline with `seed`. */
const request = (seed: number) => JSON.stringify({ pipeline: CHEAP_PIPELINE, params: { seed } });

interface Service {
  store: ObjectStore;
  functions: FunctionsProcess;
  worker: WorkerProcess;
  jobsOf(key: string): Promise<JobStatus[]>;
}

/** Starts the functions (and, with `notify`, turns the server's webhook on) and one worker. */
async function withService(
  server: S3Server,
  scanSeconds: number,
  notify: boolean,
  fn: (s: Service) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cgml-inbox-e2e-" });
  const env = { ...storeEnv(server, BUCKET), CGML_WEBHOOK_TOKEN: TOKEN };
  const store = await storeOn(server, BUCKET);
  if (notify) await server.kill();
  const functions = await FunctionsProcess.start(freePort(), env, notify ? "listening" : "ready");
  let worker: WorkerProcess | undefined;
  try {
    if (notify) {
      // The functions listen before the store is up, so versitygw's start-up check of its
      // webhook URL passes; they open the store once it answers.
      assertEquals(await functions.status("/v1/jobs"), 503, "not ready while the store is down");
      await server.restart({ webhook: webhookUrl(`${functions.url}/v1/events/minio`, TOKEN) });
      await until(
        "the functions to open the store",
        async () => (await functions.status("/readyz")) === 200,
        30_000,
      );
    }
    worker = new WorkerProcess("w0", {
      ...env,
      CGML_INBOX_SCAN_SECONDS: String(scanSeconds),
      CGML_WORK_DIR: `${dir}/work`,
    });
    const jobsOf = async (key: string) => {
      const res = await fetch(`${functions.url}/v1/jobs?source=${encodeURIComponent(key)}`);
      return (await res.json()).jobs as JobStatus[];
    };
    await fn({ store, functions, worker, jobsOf });
  } finally {
    const code = await worker?.stop();
    await functions.stop();
    await Deno.remove(dir, { recursive: true });
    assertEquals(code, 0, `the worker exits cleanly\n${worker?.lines.join("\n")}`);
  }
}

async function untilSucceeded(s: Service, key: string, count: number): Promise<JobStatus[]> {
  let jobs: JobStatus[] = [];
  await until(`${count} succeeded job(s) from ${key}`, async () => {
    jobs = await s.jobsOf(key);
    return jobs.length === count && jobs.every((j) => j.status === "succeeded");
  }, 60_000);
  return jobs;
}

s3Test(
  "a plain S3 PUT into inbox/ starts one job per version via the notification",
  async (server) => {
    await withService(server, 0, true, async (s) => {
      const key = "inbox/run one+%.yaml";
      const first = await s.store.put(key, request(1));
      const [job] = await untilSucceeded(s, key, 1);
      assertEquals(job.source, key);
      const again = await s.store.put(key, request(1));
      assertEquals(again.etag, first.etag, "the same bytes have the same ETag");
      const metrics = async () => await (await fetch(`${s.functions.url}/metrics`)).text();
      await until("the second notification", async () => {
        const m = /cgml_webhook_records_total\{outcome="enqueued"\} (\d+)/.exec(await metrics());
        return m !== null && Number(m[1]) >= 2;
      }, 10_000);
      assertEquals((await s.jobsOf(key)).length, 1, "the same ETag starts no second job");
      await s.store.put(key, request(2));
      const jobs = await untilSucceeded(s, key, 2);
      assert(jobs.some((j) => j.id !== job.id), "a new version starts a second job");
    });
  },
);

s3Test(
  "with the webhook off, the inbox scan starts the job; hostile events are refused",
  async (server) => {
    await withService(server, 1, false, async (s) => {
      const key = "inbox/scanned.yaml";
      const { etag } = await s.store.put(key, request(3));
      await untilSucceeded(s, key, 1);
      const post = (body: unknown, auth: string | null = `Bearer ${TOKEN}`, query = "") =>
        fetch(`${s.functions.url}/v1/events/minio${query}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...(auth ? { authorization: auth } : {}) },
          body: typeof body === "string" ? body : JSON.stringify(body),
        });
      const record = (k: string, bucket = BUCKET) => ({
        Records: [{
          eventName: "s3:ObjectCreated:Put",
          eventSource: "aws:s3",
          s3: { bucket: { name: bucket }, object: { key: k, eTag: `"${etag}"` } },
        }],
      });
      const refused: [string, Promise<Response>][] = [
        ["bad JSON", post("{not json")],
        ["wrong bucket", post(record("inbox/scanned.yaml", "other-bucket"))],
        ["no token", post(record("inbox/x.yaml"), null)],
        ["wrong token", post(record("inbox/x.yaml"), "Bearer wrong-token-0123456789")],
        ["wrong query token", post(record("inbox/x.yaml"), null, "?token=nope-0123456789abcdef")],
        ["..", post(record("inbox/../scanned.yaml"))],
        ["absolute", post(record("/inbox/scanned.yaml"))],
        ["NUL", post(record("inbox/a\u0000.yaml"))],
        ["2 KiB", post(record(`inbox/${"k".repeat(2048)}.yaml`))],
      ];
      for (const [what, pending] of refused) {
        const res = await pending;
        await res.body?.cancel();
        assert(res.status >= 400 && res.status < 500, `${what}: HTTP ${res.status}`);
      }
      const all = await (await fetch(`${s.functions.url}/v1/jobs`)).json();
      assertEquals(all.jobs.length, 1, "nothing enqueued by the hostile events");
    });
  },
);
