/**
 * `deno task demo [--set a.b=v ...] [--dir D] [--out O] [--pipeline P]`: the data plane end to
 * end on one machine. It opens the embedded filesystem store (`D/store`, default `.cache/demo`);
 * starts a GPU worker in this process and the HTTP functions as a child process
 * (`deno run -A functions/main.ts` on a free loopback port, with an API token) on that store;
 * writes the pipeline's synthetic shapes as OFF files in the ModelNet layout and pushes them into
 * the bucket under `datasets/shapes/` (as `deno task cgml dataset push` does); submits
 * `modelnet-zernike` with `dataset.root=s3://cgml/datasets/shapes/`, `publish=shapes` and the
 * demo's lighter training settings (`DEMO_SETS`; `--set` wins) by `POST /v1/jobs`, follows it
 * over SSE with a progress bar, downloads its outputs into `O` (default `out/demo`) and prints
 * the results table; shows the published version (`GET /v1/models/shapes`); then runs Eq. 4
 * inference on the test split (`POST /v1/models/shapes/infer`, k = 8), downloads its outputs
 * into `O/infer` and prints, for a few test shapes, the modes of the k restorations and the
 * probe's class. A rerun pushes and trains nothing (unchanged objects, cache HITs, the same
 * version). The functions child is ended by its PID at the end, also on an error or Ctrl-C
 * (which gives a running job back to the queue).
 *
 * @module
 */

import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { FsStore, loadGpuConfig, type ObjectStore, Queue } from "../infra/mod.ts";
import type { Plan } from "../pipelines/mod.ts";
import { formatResults } from "./cli.ts";
import { formatBytes, progressDisplay } from "./data/mod.ts";
import { ApiClient, type JobView } from "./demo_api.ts";
import { pushShapes, shapeOptions, writeShapes } from "./demo_data.ts";
import { BUCKET, DATASET, DEMO_SETS, prepareJob } from "./demo_job.ts";
import { type FunctionsProcess, startFunctions } from "./demo_functions.ts";
import {
  formatInferredShapes,
  formatModelVersion,
  jobProgressPrinter,
  type ModelVersionView,
  type ModesFile,
} from "./demo_view.ts";
import { Gpu, type GpuOptions } from "./gpu/mod.ts";
import type { Results } from "./report/mod.ts";
import { formatSeconds } from "./runner/mod.ts";
import { createPipelineRunner, WorkerService } from "./service/mod.ts";

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Pipeline to submit (default `modelnet-zernike`); it must draw synthetic shapes. */
  pipeline?: string;
  /** Param overrides `a.b=value` (values read as YAML scalars); `publish` names the model. */
  sets?: readonly string[];
  /** Folder of the store, the shapes, the worker's checkpoints and the logs (`.cache/demo`). */
  dir?: string;
  /** Where the outputs are written (default `out/demo`; inference under `infer/`). */
  out?: string;
  /** Draws per test shape in the inference job (default 8). */
  k?: number;
  /** Test shapes printed (default 5). */
  show?: number;
  /** Where the demo writes (default stdout). */
  write?: (text: string) => void;
  /** Redraw the progress bar in place (default: stdout is a terminal). */
  tty?: boolean;
  /** Aborts the demo: the worker releases the job, the demo resolves 130. */
  signal?: AbortSignal;
  /** How the worker's device is made (default: the fixed profile of the adapter). */
  gpu?: GpuOptions;
}

/** Everything a demo run works with. */
interface Session {
  write: (text: string) => void;
  tty: boolean;
  dir: string;
  out: string;
  signal: AbortSignal;
  /** Stage decisions of the job running now, counted from the runner's lines. */
  decisions: Map<string, number>;
}

/** Runs the demo; resolves the exit code (0: every job succeeded). */
export async function runDemo(options: DemoOptions = {}): Promise<number> {
  const s: Session = {
    write: options.write ?? ((t: string) => void Deno.stdout.writeSync(encode(t))),
    tty: options.tty ?? Deno.stdout.isTerminal(),
    dir: resolve(options.dir ?? join(".cache", "demo")),
    out: resolve(options.out ?? join("out", "demo")),
    signal: options.signal ?? new AbortController().signal,
    decisions: new Map(),
  };
  const started = performance.now();
  await Deno.mkdir(s.dir, { recursive: true });
  const storeDir = join(s.dir, "store");
  const store = await FsStore.open(storeDir);
  const pipeline = options.pipeline ?? "modelnet-zernike";
  const job = await prepareJob(store, pipeline, options.sets ?? []);
  if ("error" in job) {
    s.write(`${job.error}\n`);
    return 1;
  }
  const worker = await startWorker(s, store, options.gpu);
  const token = `demo-${crypto.randomUUID()}`;
  const starting = startFunctions({
    store: pathToFileURL(storeDir).href,
    bucket: BUCKET,
    token,
    logPath: join(s.dir, "functions.log"),
    signal: s.signal,
  });
  starting.catch(() => {});
  try {
    s.write(`store      ${storeDir} (embedded, bucket ${BUCKET})\n`);
    const settings = [...DEMO_SETS[pipeline] ?? [], ...options.sets ?? []];
    if (settings.length > 0) s.write(`settings   ${settings.join(" ")}\n`);
    s.write(`worker     ${worker.owner} in this process, log in ${join(s.dir, "worker.log")}\n`);
    await pushDataset(s, store, job.plan);
    const functions = await starting;
    s.write(
      `functions  ${functions.base} (child process ${functions.pid}, log in ` +
        `${join(s.dir, "functions.log")}; GET ${functions.base}/docs)\n`,
    );
    const api = new ApiClient(functions.base, token);
    const trained = await train(s, api, pipeline, job.params, job.model);
    if (trained !== 0) return trained;
    const inferred = await infer(s, api, job.model, options.k ?? 8, options.show ?? 5);
    if (inferred !== 0) return inferred;
    s.write(`done in ${formatSeconds((performance.now() - started) / 1000)}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof Error) || !e.message.startsWith("Cannot")) throw e;
    s.write(`${e.message}\n`);
    if (e.message.startsWith("Cannot reach")) {
      const tail = await starting.then((f) => f.tail(), () => "");
      s.write(`the functions' last output (${join(s.dir, "functions.log")}):\n${tail}\n`);
    }
    return 1;
  } finally {
    await starting.then((f: FunctionsProcess) => f.stop(), () => {});
    await worker.stop();
  }
}

/** Starts the worker in this process; `stop` releases a running job and frees the device. */
async function startWorker(s: Session, store: FsStore, gpu: GpuOptions | undefined) {
  const queue = await Queue.open(store);
  const logFile = await Deno.open(join(s.dir, "worker.log"), { create: true, append: true });
  const log = (text: string) =>
    void logFile.writeSync(encode(text.endsWith("\n") ? text : `${text}\n`));
  let device: Promise<Gpu> | undefined;
  const worker = new WorkerService({
    store,
    queue,
    bucket: BUCKET,
    run: createPipelineRunner({
      workDir: join(s.dir, "work"),
      datasets: { bucket: BUCKET, cacheDir: join(s.dir, "objects") },
      gpu: () => device ??= Gpu.create({ ...gpu, log: null }),
      log: (text) => {
        for (const [, action] of text.matchAll(/^\S+\s+(HIT|MISS|RUN) /gm)) {
          s.decisions.set(action, (s.decisions.get(action) ?? 0) + 1);
        }
        log(text);
      },
    }),
    pollMs: 200,
    scanMs: 0,
    log,
  });
  const working = worker.start();
  return {
    owner: queue.owner,
    stop: async () => {
      await worker.stop();
      await working;
      if (device !== undefined) (await device).destroy();
      logFile.close();
    },
  };
}

/** Writes the plan's synthetic shapes as OFF files and pushes them to `datasets/shapes/`. */
async function pushDataset(
  s: Session,
  store: ObjectStore,
  plan: Plan,
): Promise<void> {
  const shapes = shapeOptions(plan);
  const folder = join(s.dir, "shapes");
  const written = await writeShapes(folder, shapes);
  s.write(
    `shapes     ${written.files} OFF files (${formatBytes(written.bytes)}) in ${folder}: ` +
      `${shapes.classes} classes × ${shapes.trainPerClass} train + ${shapes.testPerClass} test\n`,
  );
  const display = progressDisplay({ write: s.write, terminal: s.tty, label: "push" });
  let pushed;
  try {
    pushed = await pushShapes(store, folder, DATASET, display.update);
  } finally {
    display.finish();
  }
  s.write(
    `dataset    s3://${BUCKET}/${pushed.prefix}: ${pushed.uploaded} uploaded ` +
      `(${formatBytes(pushed.uploadedBytes)}), ${pushed.skipped} unchanged` +
      `${pushed.removed > 0 ? `, ${pushed.removed} stale removed` : ""}\n`,
  );
}

/** Submits, follows and prints a job; the finished job, or an exit code when it did not succeed. */
async function runJob(
  s: Session,
  api: ApiClient,
  path: string,
  body: unknown,
  what: string,
): Promise<JobView | number> {
  s.decisions.clear();
  const submitted = await api.call<{ id: string; status: string; error?: string }>(
    "POST",
    path,
    body,
  );
  if (submitted.status !== 202) {
    s.write(`Cannot submit ${what}: ${submitted.body.error}\n`);
    return 1;
  }
  const { id } = submitted.body;
  s.write(`job        ${id} (${what}): POST ${path} → 202 ${submitted.body.status}\n`);
  const final = await api.follow(id, s.signal, jobProgressPrinter(s.write, s.tty));
  if (s.tty) s.write("\n");
  if (final === null) {
    s.write("demo stopped; the job goes back to the queue and a rerun resumes it\n");
    return 130;
  }
  if (final.status !== "succeeded") {
    s.write(`job ${id} ${final.status}: ${final.error?.message ?? "no error kept"}\n`);
    return 1;
  }
  const counts = [...s.decisions].map(([action, n]) => `${n} ${action}`).join(", ");
  s.write(`stages     ${counts || "none decided"}\n`);
  return final;
}

/** Trains and publishes; prints the results table, the report and the published version. */
async function train(
  s: Session,
  api: ApiClient,
  pipeline: string,
  params: Record<string, unknown>,
  model: string,
): Promise<number> {
  const job = await runJob(
    s,
    api,
    "/v1/jobs",
    { pipeline, params },
    `${pipeline}, publish ${model}`,
  );
  if (typeof job === "number") return job;
  const outputs = await api.downloadOutputs(job.id, s.out);
  if (outputs.results !== undefined) {
    const results = JSON.parse(await Deno.readTextFile(join(s.out, outputs.results))) as Results;
    s.write(`\n${formatResults(results)}\n`);
  }
  if (outputs.report !== undefined) s.write(`report     ${join(s.out, outputs.report)}\n`);
  const release = outputs.release === undefined ? undefined : JSON.parse(
    await Deno.readTextFile(join(s.out, outputs.release)),
  ) as { created?: boolean; version?: number };
  const listed = await api.call<{ versions: ModelVersionView[] }>("GET", `/v1/models/${model}`);
  const version = listed.body.versions?.find((v) => v.version === release?.version);
  if (listed.status !== 200 || version === undefined) {
    s.write(`Cannot find the published model: GET /v1/models/${model} → ${listed.status}\n`);
    return 1;
  }
  s.write(`model      ${formatModelVersion(model, version, release?.created === true)}\n`);
  return 0;
}

/** Runs Eq. 4 inference on the test split; prints the modes and classes of a few shapes. */
async function infer(
  s: Session,
  api: ApiClient,
  model: string,
  k: number,
  show: number,
): Promise<number> {
  const dataset = `s3://${BUCKET}/datasets/${DATASET}/`;
  const job = await runJob(
    s,
    api,
    `/v1/models/${model}/infer`,
    { dataset, split: "test", k },
    `inference of ${model}, k = ${k}`,
  );
  if (typeof job === "number") return job;
  const folder = join(s.out, "infer");
  const outputs = await api.downloadOutputs(job.id, folder);
  const modes = JSON.parse(await Deno.readTextFile(join(folder, outputs.modes))) as ModesFile;
  const rows = (await Deno.readTextFile(join(folder, outputs.predictions))).trim().split("\n");
  s.write(
    `predictions ${join(folder, outputs.predictions)}: ${rows.length - 1} rows = ` +
      `${modes.inputs.length} test shapes × k = ${modes.k} draws, T = ${modes.steps} steps\n\n`,
  );
  s.write(formatInferredShapes(modes, `datasets/${DATASET}/`, show));
  if (outputs.report !== undefined) s.write(`report     ${join(folder, outputs.report)}\n`);
  return 0;
}

function encode(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function parseArgs(args: readonly string[]): DemoOptions {
  const sets: string[] = [];
  const options: DemoOptions = { sets };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`Cannot read ${arg}: it needs a value`);
      return v;
    };
    if (arg === "--set") sets.push(value());
    else if (arg === "--dir") options.dir = value();
    else if (arg === "--out") options.out = value();
    else if (arg === "--pipeline") options.pipeline = value();
    else throw new Error(`Cannot read ${arg}: use --set a.b=v, --dir D, --out O, --pipeline P`);
  }
  return options;
}

if (import.meta.main) {
  let options: DemoOptions;
  try {
    options = { ...parseArgs(Deno.args), gpu: loadGpuConfig() };
  } catch (e) {
    console.error((e as Error).message);
    Deno.exit(2);
  }
  const interrupt = new AbortController();
  Deno.addSignalListener("SIGINT", () => interrupt.abort());
  Deno.exit(await runDemo({ ...options, signal: interrupt.signal }));
}
