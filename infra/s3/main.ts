/**
 * `deno task s3 [--port P] [--dir D] [--webhook URL]`: runs a versitygw S3 server in the
 * foreground (built with Go first when missing), for development and for trying the service.
 * Credentials come from `CGML_S3_ACCESS_KEY` / `CGML_S3_SECRET_KEY` (the values the functions
 * and workers use), the webhook secret from `CGML_WEBHOOK_TOKEN`.
 *
 * The server starts at once without the webhook, so the functions (which need the store to
 * start) can come up; versitygw refuses to start with a webhook whose URL refuses connections.
 * With `--webhook`, this runner then waits until the URL accepts a TCP connection and restarts
 * the server with notifications on (about 2 s; clients retry). Until then, the worker's inbox
 * scan starts the jobs. Ctrl-C stops it.
 *
 * @module
 */

import { loadS3ServerConfig } from "../config.ts";
import { ensureVersitygw } from "./build.ts";
import { startS3Server, webhookUrl } from "./server.ts";

/** Parsed command line of the runner. */
export interface RunnerArgs {
  /** S3 API port on 127.0.0.1. */
  port: number;
  /** Home directory (objects under `data/`). */
  dir: string;
  /** Webhook endpoint for bucket notifications. */
  webhook?: string;
}

const USAGE = "usage: deno task s3 [--port P] [--dir D] [--webhook URL]";

/** Parses `--port`, `--dir` and `--webhook` (also as `--name=value`); throws on anything else. */
export function parseRunnerArgs(args: string[], cwd: string): RunnerArgs {
  const out: RunnerArgs = { port: 9000, dir: `${cwd}/.cache/s3` };
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
      let url: URL | undefined;
      try {
        url = new URL(value);
      } catch {
        url = undefined;
      }
      if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.username) {
        throw new Error(
          `Cannot parse arguments: --webhook must be an http(s) URL without credentials ` +
            `(the token comes from CGML_WEBHOOK_TOKEN), got ${value}`,
        );
      }
      out.webhook = url.href;
    }
  }
  return out;
}

/** Resolves once `url`'s host accepts a TCP connection (polling every second) or `signal` aborts. */
export async function waitForListener(url: string, signal: AbortSignal): Promise<boolean> {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol === "https:" ? 443 : 80));
  const hostname = u.hostname.replace(/^\[(.*)\]$/, "$1");
  while (!signal.aborted) {
    try {
      const conn = await Deno.connect({ hostname, port });
      conn.close();
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  return false;
}

async function main(): Promise<number> {
  let args: RunnerArgs, config;
  try {
    args = parseRunnerArgs(Deno.args, Deno.cwd());
    config = loadS3ServerConfig();
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  const binary = await ensureVersitygw();
  const server = await startS3Server({
    binary,
    dir: args.dir,
    port: args.port,
    accessKey: config.accessKey,
    secretKey: config.secretKey,
    output: "inherit",
  });
  console.log(`S3 server (versitygw) ready at ${server.url}, objects in ${server.dir}/data`);
  console.log(`  CGML_STORE=${server.url} with the same CGML_S3_ACCESS_KEY / CGML_S3_SECRET_KEY`);
  const stopping = new AbortController();
  const stop = () => {
    stopping.abort();
    server.stop();
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  if (args.webhook) {
    const target = webhookUrl(args.webhook, config.webhookToken);
    console.log(`  waiting for ${args.webhook} to accept connections to turn notifications on`);
    if (await waitForListener(args.webhook, stopping.signal)) {
      await server.restart({ webhook: target });
      console.log(`  notifications on: object-created events POST to ${args.webhook}`);
    }
  }
  console.log("Press Ctrl-C to stop.");
  const code = await server.exited;
  if (stopping.signal.aborted) return 0;
  console.error(`versitygw exited with code ${code}`);
  return code === 0 ? 1 : code;
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    Deno.exit(1);
  }
}
