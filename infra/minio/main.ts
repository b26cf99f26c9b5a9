/**
 * `deno task minio [--port P] [--dir D] [--webhook URL]`: runs a local MinIO in the foreground,
 * building it first when missing. Root credentials come from `MINIO_ROOT_USER` and
 * `MINIO_ROOT_PASSWORD` when set (default `minioadmin`/`minioadmin`); the webhook target's token
 * from `CGML_WEBHOOK_TOKEN`. Ctrl-C stops it.
 *
 * @module
 */

import { ensureMinio } from "./build.ts";
import { startMinio, WEBHOOK_ARN } from "./server.ts";

/** Parsed command line of the runner. */
export interface RunnerArgs {
  /** S3 API port on 127.0.0.1. */
  port: number;
  /** Home directory (data and webhook queue). */
  dir: string;
  /** Webhook endpoint for bucket notifications. */
  webhook?: string;
}

const USAGE = "usage: deno task minio [--port P] [--dir D] [--webhook URL]";

/** Parses `--port`, `--dir` and `--webhook` (also as `--name=value`); throws on anything else. */
export function parseRunnerArgs(args: string[], cwd: string): RunnerArgs {
  const out: RunnerArgs = { port: 9000, dir: `${cwd}/.cache/minio` };
  for (let i = 0; i < args.length; i++) {
    const eq = args[i].indexOf("=");
    const name = eq >= 0 ? args[i].slice(0, eq) : args[i];
    const value = eq >= 0 ? args[i].slice(eq + 1) : args[++i];
    if (!["--port", "--dir", "--webhook"].includes(name)) {
      throw new Error(`Cannot parse arguments: unknown option ${name}\n${USAGE}`);
    }
    if (value === undefined || value === "") {
      throw new Error(`Cannot parse arguments: ${name} needs a value\n${USAGE}`);
    }
    if (name === "--port") {
      const port = Number(value);
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new Error(`Cannot parse arguments: --port must be 1..65535, got ${value}`);
      }
      out.port = port;
    } else if (name === "--dir") {
      out.dir = value.startsWith("/") ? value : `${cwd}/${value}`;
    } else {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        throw new Error(`Cannot parse arguments: --webhook must be an http(s) URL, got ${value}`);
      }
      if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw new Error(`Cannot parse arguments: --webhook must be an http(s) URL, got ${value}`);
      }
      out.webhook = value;
    }
  }
  return out;
}

async function main(): Promise<void> {
  const args = parseRunnerArgs(Deno.args, Deno.cwd());
  const binary = await ensureMinio();
  const token = Deno.env.get("CGML_WEBHOOK_TOKEN");
  const server = await startMinio({
    binary,
    dir: args.dir,
    port: args.port,
    rootUser: Deno.env.get("MINIO_ROOT_USER") || undefined,
    rootPassword: Deno.env.get("MINIO_ROOT_PASSWORD") || undefined,
    webhook: args.webhook ? { endpoint: args.webhook, authToken: token } : undefined,
    output: "inherit",
  });
  console.log(`MinIO is ready at ${server.url} (data in ${server.dir}/data, pid ${server.pid})`);
  console.log(
    `  CGML_STORE=${server.url} CGML_S3_ACCESS_KEY=${server.rootUser} CGML_S3_SECRET_KEY=<MINIO_ROOT_PASSWORD>`,
  );
  if (args.webhook) console.log(`  webhook target ${WEBHOOK_ARN} -> ${args.webhook}`);
  console.log("Press Ctrl-C to stop.");
  const stop = () => server.stop();
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  const code = await server.exited;
  Deno.exit(code === 143 || code === 130 ? 0 : code);
}

if (import.meta.main) {
  try {
    await main();
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    Deno.exit(1);
  }
}
