/**
 * `deno task functions`: serves the HTTP functions with `Deno.serve` on `PORT` (default 8000),
 * on 127.0.0.1 unless `CGML_HOST` says otherwise (settings: `loadConfig` in `infra/config.ts`;
 * without API tokens any host but loopback is refused there). Stops on SIGTERM / SIGINT after
 * in-flight requests.
 *
 * @module
 */

import { ConfigError, loadConfig, openConfiguredStore, Queue } from "../infra/mod.ts";
import { createApp } from "./app.ts";

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
  const store = await openConfiguredStore(config);
  const queue = await Queue.open(store);
  const app = createApp({ store, queue, config });
  const controller = new AbortController();
  const server = Deno.serve({
    hostname: config.host,
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
