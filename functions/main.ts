/**
 * `deno task functions`: serves the HTTP functions with `Deno.serve` on `PORT` (default 8000),
 * on 127.0.0.1 unless `CGML_HOST` says otherwise. Without API tokens it refuses any host but
 * loopback. Stops on SIGTERM / SIGINT after in-flight requests.
 *
 * @module
 */

import { ConfigError, loadConfig, openConfiguredStore, Queue } from "../infra/mod.ts";
import { createApp } from "./app.ts";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
  const hostname = Deno.env.get("CGML_HOST") || "127.0.0.1";
  if (config.apiTokens.length === 0 && !LOOPBACK.has(hostname)) {
    console.error(
      `Cannot start: CGML_API_TOKENS is empty, so the API is open; listen on loopback only ` +
        `(CGML_HOST=${hostname})`,
    );
    return 2;
  }
  const store = await openConfiguredStore(config);
  const queue = await Queue.open(store);
  const app = createApp({ store, queue, config });
  const controller = new AbortController();
  const server = Deno.serve({
    hostname,
    port: config.port,
    signal: controller.signal,
    onListen: ({ hostname, port }) =>
      console.error(
        `functions listening on http://${hostname}:${port} (store: ${config.store.url})`,
      ),
  }, app.fetch);
  for (const sig of ["SIGTERM", "SIGINT"] as const) {
    Deno.addSignalListener(sig, () => controller.abort());
  }
  await server.finished;
  return 0;
}

if (import.meta.main) Deno.exit(await main());
