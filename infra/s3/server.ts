/**
 * Starts and stops a versitygw S3 server (posix backend) on loopback, for tests, CI and
 * `deno task s3`.
 *
 * `ROOT_ACCESS_KEY=… ROOT_SECRET_KEY=… versitygw --port 127.0.0.1:P --health /health --quiet
 * --keep-alive [--event-webhook-url URL --event-filter F] posix DIR/data`; ready when
 * `GET /health` answers 200. Object metadata (ETags, content types) lives in xattrs of the data
 * folder, so data and ETags survive a restart on the same folder. Notifications are
 * fire-and-forget POSTs of S3-shaped JSON with raw (unescaped) keys and no bearer header: a
 * secret travels as URL credentials (Basic auth, see {@link webhookUrl}). versitygw sends a test
 * event at start and exits if the webhook URL refuses the connection. The server is stopped by
 * its PID only.
 *
 * @module
 */

import { findVersitygw, versitygwPath } from "./build.ts";

/** Events the server notifies by default: every object creation. */
export const DEFAULT_EVENTS = ["s3:ObjectCreated:*"];

/** Options of {@link startS3Server}. */
export interface S3ServerOptions {
  /** versitygw binary (default: the cached build, see `build.ts`). */
  binary?: string;
  /** Home directory holding `data/` (default: a temporary one, removed at stop). */
  dir?: string;
  /** Port on 127.0.0.1 (default: a free one). */
  port?: number;
  /** Root access key (default `cgml-test`). */
  accessKey?: string;
  /** Root secret key (default `cgml-test-secret`). */
  secretKey?: string;
  /** URL the bucket notifications are POSTed to (see {@link webhookUrl}); none by default. */
  webhook?: string;
  /** Event names the webhook gets (default {@link DEFAULT_EVENTS}). */
  events?: string[];
  /** `inherit` shows the server's output; `capture` keeps its tail for error messages (default). */
  output?: "inherit" | "capture";
  /** How long to wait for readiness (default 30 s). */
  readyTimeoutMs?: number;
}

/** A running (or crashed, see {@link S3Server.kill}) versitygw server. */
export interface S3Server {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The S3 API port. */
  readonly port: number;
  /** The home directory (objects under `data/<bucket>/`). */
  readonly dir: string;
  /** Root access key. */
  readonly accessKey: string;
  /** Root secret key. */
  readonly secretKey: string;
  /** PID of the current server process. */
  readonly pid: number;
  /** Resolves with the exit code when the current process ends. */
  readonly exited: Promise<number>;
  /** The webhook URL the current process notifies, if any. */
  readonly webhook: string | undefined;
  /** Stops the server (SIGTERM, then SIGKILL after 10 s) and removes a temporary home directory. */
  stop(): Promise<void>;
  /** Kills the server with SIGKILL (a crash); the data stays for {@link start}. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data (after {@link kill}); resolves when ready. */
  start(): Promise<void>;
  /** Stops and starts it again, optionally with another webhook (`null`: none). */
  restart(options?: { webhook?: string | null }): Promise<void>;
}

/**
 * A webhook URL carrying `token` as URL credentials, which versitygw sends as HTTP Basic auth
 * (the functions accept it as well as a bearer header or a `token` query parameter).
 */
export function webhookUrl(endpoint: string, token: string | undefined): string {
  const url = new URL(endpoint);
  if (token) {
    url.username = "cgml";
    url.password = token;
  }
  return url.href;
}

/** Starts versitygw and resolves once `/health` answers 200. */
export async function startS3Server(options: S3ServerOptions = {}): Promise<S3Server> {
  const binary = options.binary ?? await findVersitygw();
  if (!binary) {
    throw new Error(
      `Cannot start the S3 server: no versitygw at ${versitygwPath()}; ` +
        "build it with 'deno run -A infra/s3/build.ts'",
    );
  }
  const accessKey = options.accessKey ?? "cgml-test";
  const secretKey = options.secretKey ?? "cgml-test-secret";
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? await Deno.makeTempDir({ prefix: "cgml-s3-" });
  const absDir = dir.startsWith("/") ? dir : `${Deno.cwd()}/${dir}`;
  await Deno.mkdir(`${absDir}/data`, { recursive: true });
  const filterFile = `${absDir}/event-filter.json`;
  await Deno.writeTextFile(
    filterFile,
    JSON.stringify(Object.fromEntries((options.events ?? DEFAULT_EVENTS).map((e) => [e, true]))),
  );
  const port = options.port || freePort();
  const settings: LaunchSettings = {
    binary,
    port,
    url: `http://127.0.0.1:${port}`,
    dir: absDir,
    filterFile,
    accessKey,
    secretKey,
    output: options.output ?? "capture",
    readyTimeoutMs: options.readyTimeoutMs ?? 30_000,
  };
  let webhook = options.webhook;
  let proc: Running | null = await launch(settings, webhook);
  const current = () => {
    if (!proc) throw new Error("Cannot use the S3 server: it is not running");
    return proc;
  };

  return {
    url: settings.url,
    port,
    dir: absDir,
    accessKey,
    secretKey,
    get pid() {
      return current().child.pid;
    },
    get exited() {
      return current().exited;
    },
    get webhook() {
      return webhook;
    },
    async stop() {
      if (proc) await terminate(proc, "SIGTERM");
      proc = null;
      if (ownsDir) await Deno.remove(absDir, { recursive: true }).catch(() => {});
    },
    async kill() {
      if (proc) await terminate(proc, "SIGKILL");
      proc = null;
    },
    async start() {
      if (proc) throw new Error("Cannot start the S3 server: it is running already");
      proc = await launch(settings, webhook);
    },
    async restart(change = {}) {
      if (proc) await terminate(proc, "SIGTERM");
      proc = null;
      if (change.webhook !== undefined) webhook = change.webhook ?? undefined;
      proc = await launch(settings, webhook);
    },
  };
}

/** What every (re)start of one server uses: the binary, address, home, keys and output. */
interface LaunchSettings {
  binary: string;
  port: number;
  url: string;
  /** Absolute home directory (objects under `data/`). */
  dir: string;
  /** The event filter file (which events the webhook gets). */
  filterFile: string;
  accessKey: string;
  secretKey: string;
  output: "inherit" | "capture";
  readyTimeoutMs: number;
}

/** Spawns versitygw (notifying `webhook`, if any) and resolves once it is ready. */
async function launch(s: LaunchSettings, webhook: string | undefined): Promise<Running> {
  const args = [`--port`, `127.0.0.1:${s.port}`, "--health", "/health", "--quiet", "--keep-alive"];
  if (webhook) args.push("--event-webhook-url", webhook, "--event-filter", s.filterFile);
  args.push("posix", `${s.dir}/data`);
  const child = new Deno.Command(s.binary, {
    args,
    env: { ROOT_ACCESS_KEY: s.accessKey, ROOT_SECRET_KEY: s.secretKey },
    clearEnv: true,
    stdin: "null",
    stdout: s.output === "inherit" ? "inherit" : "piped",
    stderr: s.output === "inherit" ? "inherit" : "piped",
  }).spawn();
  const log = new TailLog();
  if (s.output === "capture") {
    log.drain(child.stdout);
    log.drain(child.stderr);
  }
  const running: Running = { child, log, exited: child.status.then((status) => status.code) };
  try {
    await waitReady(s.url, running, s.readyTimeoutMs);
  } catch (e) {
    await terminate(running, "SIGKILL");
    throw e;
  }
  return running;
}

interface Running {
  child: Deno.ChildProcess;
  log: TailLog;
  exited: Promise<number>;
}

/** Sends `signal` to the server's PID; after SIGTERM, SIGKILL if it has not exited in 10 s. */
async function terminate(running: Running, signal: "SIGTERM" | "SIGKILL"): Promise<void> {
  const done = running.exited.then(() => true);
  try {
    running.child.kill(signal);
  } catch {
    // Already exited.
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((r) => timer = setTimeout(() => r(false), 10_000));
  const exited = await Promise.race([done, timeout]);
  clearTimeout(timer);
  if (!exited) {
    try {
      running.child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
  }
  await running.exited;
  await running.log.closed();
}

async function waitReady(url: string, running: Running, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null = null;
  running.exited.then((code) => exitCode = code);
  while (Date.now() < deadline) {
    if (exitCode !== null) {
      throw new Error(
        `Cannot start the S3 server: versitygw exited with code ${exitCode}\n${running.log.text()}`,
      );
    }
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `Cannot start the S3 server: ${url}/health did not answer 200 within ${timeoutMs} ms\n${running.log.text()}`,
  );
}

/** A free TCP port on 127.0.0.1 (bound and released; another process could take it meanwhile). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Keeps the last 16 KiB of a process's output for error messages. */
class TailLog {
  #text = "";
  #pending: Promise<void>[] = [];

  drain(stream: ReadableStream<Uint8Array>): void {
    const decoder = new TextDecoder();
    this.#pending.push(
      (async () => {
        for await (const chunk of stream) {
          this.#text = (this.#text + decoder.decode(chunk, { stream: true })).slice(-16384);
        }
      })().catch(() => {}),
    );
  }

  text(): string {
    return this.#text.trim();
  }

  async closed(): Promise<void> {
    await Promise.all(this.#pending);
  }
}
