/**
 * `deno task demo [--set a.b=v ...] [--dir D] [--out O]`: the whole service in one process. It
 * opens the embedded filesystem store (`D/store`, default `.cache/demo`), serves the HTTP
 * functions on a free loopback port, starts a worker, submits `modelnet-zernike` (whose first
 * stage makes the synthetic shapes dataset) with `POST /v1/jobs`, follows it over
 * `GET /v1/jobs/{id}/events` (SSE) with a progress bar, then downloads the outputs into `O`
 * (default `out/demo`), prints the results table and the report's path. A rerun restores every
 * stage from the store's cache; `--set` changes params (as in `deno task cgml run`).
 *
 * @module
 */

import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { FsStore, loadGpuConfig, Queue } from "../infra/mod.ts";
import { createApp } from "../functions/app.ts";
import { formatResults } from "./cli.ts";
import { Gpu, type GpuOptions } from "./gpu/mod.ts";
import type { Results } from "./report/mod.ts";
import { formatSeconds } from "./runner/mod.ts";
import { createPipelineRunner, WorkerService } from "./service/mod.ts";

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Pipeline to submit (default `modelnet-zernike`). */
  pipeline?: string;
  /** Param overrides `a.b=value` (values read as YAML scalars). */
  sets?: readonly string[];
  /** Folder of the store and the worker's checkpoints and log (default `.cache/demo`). */
  dir?: string;
  /** Where the outputs are written (default `out/demo`). */
  out?: string;
  /** Where the demo writes (default stdout). */
  write?: (text: string) => void;
  /** Redraw the progress bar in place (default: stdout is a terminal). */
  tty?: boolean;
  /** Aborts the demo: the worker releases the job, the demo resolves 130. */
  signal?: AbortSignal;
  /** How the worker's device is made (default: the fixed profile of the adapter). */
  gpu?: GpuOptions;
}

/** The job as the API shows it (the fields the demo reads). */
interface JobView {
  id: string;
  status: string;
  progress?: {
    fraction?: number;
    stage?: string;
    index?: number;
    stages?: number;
    epoch?: number;
    epochs?: number;
    loss?: number;
    eta?: number;
    unit?: string;
    done?: number;
    total?: number;
  };
  error?: { message: string };
  result?: { outputs?: Record<string, string> };
}

/** Nested params from `a.b=v` overrides; throws on a malformed one. */
export function paramsFromSets(sets: readonly string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const set of sets) {
    const eq = set.indexOf("=");
    if (eq <= 0) throw new Error(`Cannot read --set ${set}: expected name.path=value`);
    const path = set.slice(0, eq).split(".");
    let node = params;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      node = (node[key] = typeof next === "object" && next !== null ? next : {}) as Record<
        string,
        unknown
      >;
    }
    const raw = set.slice(eq + 1);
    node[path.at(-1)!] = raw === "" ? "" : parseYaml(raw);
  }
  return params;
}

/** One progress-bar line for a job. */
export function formatJobProgress(job: JobView): string {
  const p = job.progress ?? {};
  const fraction = Math.min(1, Math.max(0, p.fraction ?? 0));
  const cells = 30;
  const full = Math.round(fraction * cells);
  const parts = [
    `[${"#".repeat(full)}${".".repeat(cells - full)}] ${(fraction * 100).toFixed(0).padStart(3)}%`,
    job.status,
  ];
  if (p.stage !== undefined) {
    parts.push(
      p.index !== undefined && p.stages !== undefined
        ? `${p.stage} (${p.index + 1}/${p.stages})`
        : p.stage,
    );
  }
  if (p.epoch !== undefined && p.epochs !== undefined) parts.push(`epoch ${p.epoch}/${p.epochs}`);
  else if (p.unit !== undefined && p.done !== undefined && p.total !== undefined) {
    parts.push(`${Math.floor(p.done)}/${p.total} ${p.unit}`);
  }
  if (p.loss !== undefined) parts.push(`loss ${p.loss.toFixed(4)}`);
  if (p.eta !== undefined) parts.push(`ETA ${formatSeconds(p.eta)}`);
  return parts.join("  ");
}

/** Runs the demo; resolves the exit code (0: the job succeeded). */
export async function runDemo(options: DemoOptions = {}): Promise<number> {
  const write = options.write ?? ((t: string) => void Deno.stdout.writeSync(encode(t)));
  const tty = options.tty ?? Deno.stdout.isTerminal();
  const dir = resolve(options.dir ?? join(".cache", "demo"));
  const out = resolve(options.out ?? join("out", "demo"));
  const pipeline = options.pipeline ?? "modelnet-zernike";
  const params = paramsFromSets(options.sets ?? []);
  const started = performance.now();

  await Deno.mkdir(dir, { recursive: true });
  const store = await FsStore.open(join(dir, "store"));
  const queue = await Queue.open(store);
  const logFile = await Deno.open(join(dir, "worker.log"), {
    create: true,
    append: true,
  });
  const log = (text: string) =>
    void logFile.writeSync(encode(text.endsWith("\n") ? text : `${text}\n`));
  let device: Promise<Gpu> | undefined;
  const worker = new WorkerService({
    store,
    queue,
    bucket: "cgml",
    run: createPipelineRunner({
      workDir: join(dir, "work"),
      datasets: { bucket: "cgml", cacheDir: join(dir, "objects") },
      gpu: () => device ??= Gpu.create({ ...options.gpu, log: null }),
      log,
    }),
    pollMs: 200,
    scanMs: 0,
    log,
  });
  const app = createApp({
    store,
    queue,
    config: { apiTokens: [], store: { bucket: "cgml" } },
    options: { ssePollMs: 250 },
  });
  const stop = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: stop.signal, onListen: () => {} },
    app.fetch,
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  const working = worker.start();
  const abort = AbortSignal.any([stop.signal, ...(options.signal ? [options.signal] : [])]);
  try {
    write(`store      ${join(dir, "store")} (embedded)\n`);
    write(`functions  ${base}  (GET ${base}/docs)\n`);
    write(`worker     ${queue.owner}, log in ${join(dir, "worker.log")}\n`);
    write(`dataset    synthetic shapes, made by the pipeline's first stage\n`);
    const id = await submitJob(base, pipeline, params, write);
    if (id === null) return 1;
    const final = await follow(
      `${base}/v1/jobs/${id}/events`,
      abort,
      jobProgressPrinter(write, tty),
    );
    if (tty) write("\n");
    if (final === null) {
      write("demo stopped; the job goes back to the queue and a rerun resumes it\n");
      return 130;
    }
    if (final.status !== "succeeded") {
      write(`job ${final.id} ${final.status}: ${final.error?.message ?? "no error kept"}\n`);
      return 1;
    }
    await downloadOutputs(`${base}/v1/jobs/${final.id}`, final, out, write);
    write(`done in ${formatSeconds((performance.now() - started) / 1000)}\n`);
    return 0;
  } finally {
    await worker.stop();
    await working;
    stop.abort();
    await server.finished;
    if (device !== undefined) (await device).destroy();
    logFile.close();
  }
}

/** Submits the pipeline with `POST /v1/jobs`; the job's id, or null (said why) when refused. */
async function submitJob(
  base: string,
  pipeline: string,
  params: Record<string, unknown>,
  write: (text: string) => void,
): Promise<string | null> {
  const submitted = await fetch(`${base}/v1/jobs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ pipeline, params }),
  });
  const body = await submitted.json();
  if (submitted.status !== 202) {
    write(`Cannot submit ${pipeline}: ${body.error}\n`);
    return null;
  }
  write(`job        ${body.id}: POST /v1/jobs → ${submitted.status} ${body.status}\n`);
  return body.id;
}

/**
 * Prints a job's progress: one line redrawn in place on a terminal, otherwise one line per
 * status, stage and epoch.
 */
function jobProgressPrinter(write: (text: string) => void, tty: boolean): (job: JobView) => void {
  let shown = "";
  return (job) => {
    const line = formatJobProgress(job);
    if (tty) return write(`\r${line}\x1b[K`);
    const key = `${job.status} ${job.progress?.stage} ${job.progress?.epoch}`;
    if (key !== shown) write(`${line}\n`);
    shown = key;
  };
}

/** Downloads a finished job's outputs into `out`; prints the results table and the report. */
async function downloadOutputs(
  job: string,
  final: JobView,
  out: string,
  write: (text: string) => void,
): Promise<void> {
  await Deno.mkdir(out, { recursive: true });
  const outputs = final.result?.outputs ?? {};
  for (const path of Object.values(outputs)) {
    const res = await fetch(`${job}/artifacts/${path}`);
    if (!res.ok) throw new Error(`Cannot download ${path}: HTTP ${res.status}`);
    await Deno.writeFile(join(out, path), new Uint8Array(await res.arrayBuffer()));
  }
  if (outputs.results !== undefined) {
    const results = JSON.parse(await Deno.readTextFile(join(out, outputs.results))) as Results;
    write(`\n${formatResults(results)}\n`);
  }
  if (outputs.report !== undefined) write(`report     ${join(out, outputs.report)}\n`);
}

/** Reads the job's SSE stream until `end`; calls `onStatus` per `status` event. */
async function follow(
  url: string,
  signal: AbortSignal,
  onStatus: (job: JobView) => void,
): Promise<JobView | null> {
  let last: JobView | null = null;
  let lastId: string | undefined;
  while (!signal.aborted) {
    let res: Response;
    try {
      res = await fetch(url, { signal, headers: lastId ? { "last-event-id": lastId } : {} });
    } catch (e) {
      if (signal.aborted) return null;
      throw e;
    }
    if (!res.ok || res.body === null) throw new Error(`Cannot follow the job: HTTP ${res.status}`);
    let buffer = "";
    try {
      for await (const chunk of res.body.pipeThrough(new TextDecoderStream())) {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const event = parseEvent(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (event.id !== undefined) lastId = event.id;
          if (event.event === "status") {
            last = JSON.parse(event.data) as JobView;
            onStatus(last);
          } else if (event.event === "end") {
            return last;
          }
        }
      }
    } catch (e) {
      if (signal.aborted) return null;
      throw e;
    }
  }
  return null;
}

function parseEvent(block: string): { event?: string; id?: string; data: string } {
  const out: { event?: string; id?: string; data: string } = { data: "" };
  for (const line of block.split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const field = line.slice(0, colon);
    const value = line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") out.event = value;
    else if (field === "id") out.id = value;
    else if (field === "data") out.data += out.data === "" ? value : `\n${value}`;
  }
  return out;
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
