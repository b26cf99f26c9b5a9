/**
 * Test helpers for end-to-end runs of the service as real processes: `deno run worker/main.ts`
 * and `deno run functions/main.ts` children configured through the environment (as deployed),
 * a cheap real pipeline, and polling; and the service in one process on a real S3 server
 * ({@link withBucketService}).
 *
 * @module
 */

import { countingStore } from "../../infra/datasets/_testing.ts";
import { storeOn } from "../../infra/s3/_testing.ts";
import { freePort, type S3Server, webhookUrl } from "../../infra/s3/server.ts";
import { type JobStatus, type ObjectStore, Queue } from "../../infra/mod.ts";
import { createApp } from "../../functions/app.ts";
import { Gpu } from "../gpu/mod.ts";
import { createPipelineRunner } from "./pipeline_runner.ts";
import { WorkerService } from "./service.ts";

const WORKER_MAIN = new URL("../main.ts", import.meta.url).pathname;
const FUNCTIONS_MAIN = new URL("../../functions/main.ts", import.meta.url).pathname;

/** A cheap real pipeline: ~0.5 s of CPU per job, a few MB in the store. */
export const CHEAP_PIPELINE = {
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

/** A child `deno run` process whose stderr lines are kept (and parsed by subclasses). */
export class ServiceProcess {
  /** The child. */
  readonly child: Deno.ChildProcess;
  /** Its stderr, line by line. */
  readonly lines: string[] = [];
  /** Resolves when its stderr has ended. */
  readonly done: Promise<void>;

  /** Starts `deno run -A main` with `env` added to this process's environment. */
  constructor(readonly name: string, main: string, env: Record<string, string>) {
    this.child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", main],
      env,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    this.done = this.#read();
  }

  /** Sends SIGTERM (if still running) and waits for the exit code. */
  async stop(): Promise<number> {
    try {
      this.child.kill("SIGTERM");
    } catch {
      // Already exited.
    }
    const { code } = await this.child.status;
    await this.done;
    return code;
  }

  /** Called for every stderr line. */
  protected onLine(_line: string): void {}

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
    this.onLine(line);
  }
}

/** A `worker/main.ts` process; knows which jobs it started and committed from its log. */
export class WorkerProcess extends ServiceProcess {
  /** Job ids in the order their attempts started, and when (ms). */
  readonly started: { id: string; at: number }[] = [];
  /** Job ids this worker committed (the `job <id>: succeeded` line follows the commit). */
  readonly committed: string[] = [];

  /** Starts a worker with one slot; `env` configures it as in a deployment. */
  constructor(name: string, env: Record<string, string>) {
    super(name, WORKER_MAIN, { CGML_WORKER_CONCURRENCY: "1", ...env });
  }

  /** The job this worker runs now, if any. */
  get current(): { id: string; at: number } | undefined {
    const last = this.started.at(-1);
    return last !== undefined && !this.committed.includes(last.id) ? last : undefined;
  }

  protected override onLine(line: string): void {
    const m = /^job (\S+): (attempt \d+ started|succeeded)$/.exec(line);
    if (m?.[2] === "succeeded") this.committed.push(m[1]);
    else if (m) this.started.push({ id: m[1], at: performance.now() });
  }
}

/** A `functions/main.ts` process listening on `url`. */
export class FunctionsProcess extends ServiceProcess {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;

  private constructor(port: number, env: Record<string, string>) {
    super("functions", FUNCTIONS_MAIN, { ...env, PORT: String(port), CGML_HOST: "127.0.0.1" });
    this.url = `http://127.0.0.1:${port}`;
  }

  /**
   * Starts the functions on `port` and resolves once `/readyz` answers 200 (the store is open),
   * or with `wait: "listening"` once `/healthz` answers (the store may still be down).
   */
  static async start(
    port: number,
    env: Record<string, string>,
    wait: "ready" | "listening" = "ready",
  ): Promise<FunctionsProcess> {
    const functions = new FunctionsProcess(port, env);
    let exited = false;
    functions.child.status.then(() => exited = true);
    await until(`the functions to be ${wait}`, async () => {
      if (exited) throw new Error(`Cannot start the functions:\n${functions.lines.join("\n")}`);
      return (await functions.status(wait === "ready" ? "/readyz" : "/healthz")) === 200;
    }, 60_000);
    return functions;
  }

  /** The HTTP status of a GET of `path` (0 when nothing answers). */
  async status(path: string): Promise<number> {
    try {
      const res = await fetch(`${this.url}${path}`);
      await res.body?.cancel();
      return res.status;
    } catch {
      return 0;
    }
  }
}

/** Polls `cond` every 50 ms until it holds; throws naming `what` after `ms`. */
export async function until(
  what: string,
  cond: () => boolean | Promise<boolean>,
  ms: number,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`Cannot wait longer for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What {@link withBucketService} hands to a test. */
export interface BucketService {
  /** The S3 store (bucket `cgml`), uncounted. */
  store: ObjectStore;
  queue: Queue;
  /** The functions, served on `url` (the S3 server's webhook can reach them). */
  app: ReturnType<typeof createApp>;
  url: string;
  /** Calls the functions (no tokens: the app is open on loopback). */
  call(path: string, init?: RequestInit): Promise<Response>;
  /** The in-process worker (one slot); its store counts every read. Not started: see `start`. */
  worker: WorkerService;
  /** Starts the worker (once). */
  start(): void;
  /** The worker's object cache folder. */
  objectCacheDir: string;
  /** Keys the worker read (GET) so far, in order. */
  gets: string[];
  /** The runner's lines (decisions and progress) so far. */
  runnerLog: string[];
  /** Submits `body` with `POST /v1/jobs`; resolves the job id (throws unless 202). */
  submit(body: unknown): Promise<string>;
  /** Waits until job `id` is final; resolves its status. */
  finished(id: string, ms?: number): Promise<JobStatus>;
  /** Writes `body` at `key` by a plain HTTP PUT to a presigned URL; resolves the ETag. */
  upload(key: string, body: string): Promise<string>;
}

/**
 * The service in one process on a real S3 server: the functions served on a free loopback port
 * (the S3 server restarted with its webhook pointing at them when `webhook` is set), a queue
 * whose jobs fail at their first failed attempt, and one worker that reads bucket datasets into
 * a temporary object cache (started by `start`). Everything is stopped and removed afterwards.
 */
export async function withBucketService(
  server: S3Server,
  options: { webhook?: boolean },
  fn: (s: BucketService) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cgml-bucket-service-" });
  const store = await storeOn(server, "cgml");
  const queue = await Queue.open(store, { maxAttempts: 1, progressMs: 50 });
  const webhookToken = "webhook-token-bucket-0123456789";
  const app = createApp({
    store,
    queue,
    config: { apiTokens: [], webhookToken, store: { bucket: "cgml" } },
  });
  const port = freePort();
  const http = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, app.fetch);
  const url = `http://127.0.0.1:${port}`;
  if (options.webhook) {
    await server.restart({ webhook: webhookUrl(`${url}/v1/events/minio`, webhookToken) });
  }
  const counted = countingStore(store);
  const runnerLog: string[] = [];
  let device: Promise<Gpu> | undefined;
  const worker = new WorkerService({
    store: counted.store,
    queue,
    bucket: "cgml",
    run: createPipelineRunner({
      workDir: `${dir}/work`,
      datasets: { bucket: "cgml", cacheDir: `${dir}/objects` },
      gpu: () => device ??= Gpu.create({ log: null }),
      log: (text) => runnerLog.push(text),
    }),
    pollMs: 50,
    scanMs: 0,
    log: () => {},
  });
  let running: Promise<void> | undefined;
  const call = async (path: string, init?: RequestInit) => await app.request(path, init);
  const service: BucketService = {
    store,
    queue,
    app,
    url,
    call,
    worker,
    start: () => void (running ??= worker.start()),
    objectCacheDir: `${dir}/objects`,
    gets: counted.gets,
    runnerLog,
    async submit(body) {
      const res = await call("/v1/jobs", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const json = await res.json();
      if (res.status !== 202) throw new Error(`POST /v1/jobs: ${res.status} ${json.error}`);
      return json.id;
    },
    async finished(id, ms = 120_000) {
      let status: JobStatus | null = null;
      await until(`job ${id} to finish`, async () => {
        status = await queue.get(id);
        return status !== null && ["succeeded", "failed", "cancelled"].includes(status.status);
      }, ms);
      return status!;
    },
    async upload(key, body) {
      const target = await store.presignPut(key, 300);
      if (target === null) throw new Error("Cannot presign on this store");
      const res = await fetch(target, { method: "PUT", body });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`Cannot PUT ${key}: ${res.status}`);
      return (res.headers.get("etag") ?? "").replaceAll('"', "");
    },
  };
  try {
    await fn(service);
  } finally {
    if (running !== undefined) await worker.stop();
    if (device !== undefined) (await device).destroy();
    await http.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
}
