/**
 * The HTTP functions as a child process for the demo: `deno run -A functions/main.ts` with the
 * store, bucket, an API token and `PORT=0` (the system picks a free port) on 127.0.0.1 in its
 * environment. The child's output goes to a log file and a tail kept in memory; its
 * `functions listening on http://…` line gives the address, then `GET /readyz` is polled until
 * it answers 200 (the store is open). A child that exits or is not ready in time is an error
 * carrying the tail of its output. {@link FunctionsProcess.stop} ends the child by its PID:
 * SIGTERM (the functions stop after in-flight requests), SIGKILL after a grace period.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** The functions' entry point and the repository root it runs in (for `deno.json`). */
const MAIN = fileURLToPath(new URL("../functions/main.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Lines of the child's output kept for error messages. */
const TAIL_LINES = 30;

/** Settings of {@link startFunctions}. */
export interface FunctionsOptions {
  /** `CGML_STORE` of the child: `file:///abs/path` or an S3 endpoint. */
  store: string;
  /** `CGML_BUCKET`. */
  bucket: string;
  /** A write token the child accepts (`CGML_API_TOKENS=<token>:write`). */
  token: string;
  /** File the child's stdout and stderr are appended to. */
  logPath: string;
  /** How long the child may take to answer `GET /readyz` with 200 (default 120 s). */
  readyTimeoutMs?: number;
  /** Aborts the start: the child is stopped and the promise rejects. */
  signal?: AbortSignal;
}

/** A running functions child process. */
export interface FunctionsProcess {
  /** Its base URL, `http://127.0.0.1:<port>`. */
  readonly base: string;
  /** Its process id. */
  readonly pid: number;
  /** The last lines it wrote (stdout and stderr). */
  tail(): string;
  /** Ends it by its PID (SIGTERM, SIGKILL after `graceMs`, default 5 s); resolves once reaped. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts the functions and resolves once `GET /readyz` answers 200 (see the module doc). */
export async function startFunctions(options: FunctionsOptions): Promise<FunctionsProcess> {
  const log = await Deno.open(options.logPath, { create: true, append: true });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN],
    cwd: ROOT,
    env: {
      CGML_STORE: options.store,
      CGML_BUCKET: options.bucket,
      CGML_API_TOKENS: `${options.token}:write`,
      CGML_WEBHOOK_TOKEN: "",
      CGML_HOST: "127.0.0.1",
      PORT: "0",
      NO_COLOR: "1",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  let listening: (url: string) => void = () => {};
  const address = new Promise<string>((resolve) => listening = resolve);
  const onLine = (line: string) => {
    lines.push(line);
    if (lines.length > TAIL_LINES) lines.shift();
    const url = /functions listening on (http:\/\/[^\s]+)/.exec(line)?.[1];
    if (url !== undefined) listening(url.replace(/\/$/, ""));
  };
  const pumps = Promise.all([
    pump(child.stdout, log, onLine),
    pump(child.stderr, log, onLine),
  ]).finally(() => log.close());
  let exited: Deno.CommandStatus | undefined;
  const status = child.status.then((s) => exited = s);
  const tail = () => lines.join("\n");
  const stop = async (graceMs = 5000) => {
    if (exited === undefined) {
      signal(child.pid, "SIGTERM");
      const timer = setTimeout(() => signal(child.pid, "SIGKILL"), graceMs);
      await status.finally(() => clearTimeout(timer));
    }
    await pumps;
  };
  try {
    const base = await ready(address, status, options, tail);
    return { base, pid: child.pid, tail, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Waits for the address line, then for `GET /readyz` = 200; throws with the output's tail. */
async function ready(
  address: Promise<string>,
  status: Promise<Deno.CommandStatus>,
  options: FunctionsOptions,
  tail: () => string,
): Promise<string> {
  const timeout = options.readyTimeoutMs ?? 120_000;
  const deadline = performance.now() + timeout;
  const fail = (why: string) =>
    new Error(
      `Cannot start the HTTP functions (deno run -A functions/main.ts): ${why}; its last ` +
        `output (${options.logPath}):\n${tail() || "(none)"}`,
    );
  const exit = status.then((s) => {
    throw fail(`the process exited with code ${s.code}${s.signal ? ` (${s.signal})` : ""}`);
  });
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const aborted = () => {
    if (options.signal?.aborted) throw fail("the demo was stopped");
  };
  const until = <T>(p: Promise<T>) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(fail(`no answer 200 from GET /readyz within ${timeout / 1000} s`)),
        Math.max(0, deadline - performance.now()),
      );
    });
    return Promise.race([p, exit, late]).finally(() => clearTimeout(timer));
  };
  const base = await until(address);
  for (;;) {
    aborted();
    const answer = await until(
      fetch(`${base}/readyz`).then(async (res) => {
        await res.body?.cancel();
        return res.status;
      }, () => 0),
    );
    if (answer === 200) return base;
    await until(wait(100));
  }
}

/** Copies a stream to the log file and hands every complete line to `onLine`. */
async function pump(
  stream: ReadableStream<Uint8Array>,
  log: Deno.FsFile,
  onLine: (line: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let partial = "";
  for await (const chunk of stream) {
    await log.write(chunk);
    partial += decoder.decode(chunk, { stream: true });
    const parts = partial.split("\n");
    partial = parts.pop()!;
    for (const line of parts) onLine(line);
  }
  if (partial !== "") onLine(partial);
}

/** Sends `sig` to `pid`, ignoring a process that is already gone. */
function signal(pid: number, sig: Deno.Signal): void {
  try {
    Deno.kill(pid, sig);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}
