/**
 * Starts and stops a single-node MinIO server on loopback, for tests and local development.
 *
 * Readiness is `GET /minio/health/cluster` answering 200 (`/live` and `/ready` answer before the
 * object layer is up). A webhook notification target can be configured through the
 * `MINIO_NOTIFY_WEBHOOK_*_CGML` environment variables, with a queue directory so undelivered
 * events survive restarts; its ARN is {@link WEBHOOK_ARN}. The server is stopped by its PID only.
 *
 * @module
 */

import { findMinio, minioBinaryPath } from "./build.ts";

/** ID of the webhook notification target configured by {@link startMinio}. */
export const WEBHOOK_TARGET_ID = "CGML";

/** ARN to use in a bucket notification config to reach the webhook target. */
export const WEBHOOK_ARN = `arn:minio:sqs::${WEBHOOK_TARGET_ID}:webhook`;

/** Options of {@link startMinio}. */
export interface MinioServerOptions {
  /** MinIO binary (default: the cached build, see `build.ts`). */
  binary?: string;
  /** Home directory holding `data/` and `events/` (default: a temporary one, removed at stop). */
  dir?: string;
  /** Port on 127.0.0.1 (default: a free one). */
  port?: number;
  /** Root user (default `minioadmin`). */
  rootUser?: string;
  /** Root password, at least 8 characters (default `minioadmin`). */
  rootPassword?: string;
  /** Webhook target for bucket notifications. */
  webhook?: { endpoint: string; authToken?: string };
  /** `inherit` shows the server's output; `capture` keeps its tail for error messages (default). */
  output?: "inherit" | "capture";
  /** How long to wait for readiness (default 60 s). */
  readyTimeoutMs?: number;
}

/** A running MinIO server. */
export interface MinioServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The S3 API port. */
  readonly port: number;
  /** The home directory (data under `data/`, webhook queue under `events/`). */
  readonly dir: string;
  /** Root access key. */
  readonly rootUser: string;
  /** Root secret key. */
  readonly rootPassword: string;
  /** PID of the server process. */
  readonly pid: number;
  /** Resolves with the exit code when the process ends. */
  readonly exited: Promise<number>;
  /** Stops the server (SIGTERM, then SIGKILL after 10 s) and removes a temporary home directory. */
  stop(): Promise<void>;
  /** Stops and starts the server again on the same port and data; resolves when ready. */
  restart(): Promise<void>;
}

/** Starts MinIO and resolves once `/minio/health/cluster` answers 200. */
export async function startMinio(options: MinioServerOptions = {}): Promise<MinioServer> {
  const binary = options.binary ?? await findMinio();
  if (!binary) {
    throw new Error(
      `Cannot start MinIO: no binary at ${minioBinaryPath()}; build it with 'deno run -A infra/minio/build.ts'`,
    );
  }
  const rootUser = options.rootUser ?? "minioadmin";
  const rootPassword = options.rootPassword ?? "minioadmin";
  if (rootUser.length < 3 || rootPassword.length < 8) {
    throw new Error(
      "Cannot start MinIO: the root user needs at least 3 characters and the password at least 8",
    );
  }
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? await Deno.makeTempDir({ prefix: "cgml-minio-" });
  const absDir = dir.startsWith("/") ? dir : `${Deno.cwd()}/${dir}`;
  await Deno.mkdir(`${absDir}/data`, { recursive: true });
  await Deno.mkdir(`${absDir}/events`, { recursive: true });
  const port = options.port || freePort();
  const env: Record<string, string> = {
    MINIO_ROOT_USER: rootUser,
    MINIO_ROOT_PASSWORD: rootPassword,
    MINIO_BROWSER: "off",
    MINIO_UPDATE: "off",
    // CI mode lets MinIO use a directory on the root disk, as tests and laptops do.
    MINIO_CI_CD: "1",
  };
  if (options.webhook) {
    const id = WEBHOOK_TARGET_ID;
    env[`MINIO_NOTIFY_WEBHOOK_ENABLE_${id}`] = "on";
    env[`MINIO_NOTIFY_WEBHOOK_ENDPOINT_${id}`] = options.webhook.endpoint;
    env[`MINIO_NOTIFY_WEBHOOK_QUEUE_DIR_${id}`] = `${absDir}/events`;
    if (options.webhook.authToken) {
      env[`MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN_${id}`] = options.webhook.authToken;
    }
  }
  const output = options.output ?? "capture";
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const url = `http://127.0.0.1:${port}`;

  let proc = await launch();

  async function launch(): Promise<Running> {
    const consolePort = freePort();
    const child = new Deno.Command(binary!, {
      args: [
        "server",
        `${absDir}/data`,
        "--address",
        `127.0.0.1:${port}`,
        "--console-address",
        `127.0.0.1:${consolePort}`,
        "--quiet",
      ],
      env,
      stdin: "null",
      stdout: output === "inherit" ? "inherit" : "piped",
      stderr: output === "inherit" ? "inherit" : "piped",
    }).spawn();
    const log = new TailLog();
    if (output === "capture") {
      log.drain(child.stdout);
      log.drain(child.stderr);
    }
    const running: Running = { child, log, exited: child.status.then((s) => s.code) };
    try {
      await waitReady(url, running, readyTimeoutMs);
    } catch (e) {
      await terminate(running);
      throw e;
    }
    return running;
  }

  return {
    url,
    port,
    dir: absDir,
    rootUser,
    rootPassword,
    get pid() {
      return proc.child.pid;
    },
    get exited() {
      return proc.exited;
    },
    async stop() {
      await terminate(proc);
      if (ownsDir) await Deno.remove(absDir, { recursive: true }).catch(() => {});
    },
    async restart() {
      await terminate(proc);
      proc = await launch();
    },
  };
}

interface Running {
  child: Deno.ChildProcess;
  log: TailLog;
  exited: Promise<number>;
}

/** Sends SIGTERM to the server's PID, then SIGKILL if it has not exited after 10 s. */
async function terminate(running: Running): Promise<void> {
  const done = running.exited.then(() => true);
  try {
    running.child.kill("SIGTERM");
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
      throw new Error(`Cannot start MinIO: it exited with code ${exitCode}\n${running.log.text()}`);
    }
    try {
      const res = await fetch(`${url}/minio/health/cluster`, {
        signal: AbortSignal.timeout(2000),
      });
      await res.body?.cancel();
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `Cannot start MinIO: ${url}/minio/health/cluster did not answer 200 within ${timeoutMs} ms\n${running.log.text()}`,
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
