/**
 * `deno task functions`: serves the HTTP functions with `Deno.serve` on `PORT` (default 8000),
 * on 127.0.0.1 unless `CGML_HOST` says otherwise (settings: `loadConfig` in `infra/config.ts`;
 * without API tokens any host but loopback is refused there). It listens at once and opens the
 * store in the background, retrying with backoff while the store is unreachable: until then
 * `/healthz` answers 200 and every other route 503. So the functions and an S3 server whose
 * webhook points at them (versitygw checks its webhook URL at start) can start in any order.
 * Stops on SIGTERM / SIGINT after in-flight requests.
 *
 * @module
 */

import {
  type Config,
  ConfigError,
  loadConfig,
  openConfiguredStore,
  Queue,
  StoreUnavailableError,
} from "../infra/mod.ts";
import { createApp } from "./app.ts";

type Handler = (request: Request) => Response | Promise<Response>;

/** The answer while the store is not open yet. */
const starting: Handler = (request) =>
  new URL(request.url).pathname === "/healthz"
    ? Response.json({ status: "starting" })
    : Response.json({ error: "Cannot serve yet: the store is not open (retrying)" }, {
      status: 503,
      headers: { "retry-after": "2" },
    });

/** Opens the store and the queue, retrying unreachable stores with backoff until `signal`. */
async function openApp(config: Config, signal: AbortSignal): Promise<Handler | null> {
  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      const store = await openConfiguredStore(config);
      const queue = await Queue.open(store);
      if (attempt > 1) console.error(`functions: the store answers (attempt ${attempt})`);
      return createApp({ store, queue, config }).fetch;
    } catch (e) {
      if (!(e instanceof StoreUnavailableError)) throw e;
      const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
      console.error(
        `functions: cannot open the store (attempt ${attempt}, next in ${delay / 1000} s): ${
          (e as Error).message
        }`,
      );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        signal.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        }, { once: true });
      });
    }
  }
  return null;
}

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
  const controller = new AbortController();
  let handler = starting;
  const server = Deno.serve({
    hostname: config.host,
    port: config.port,
    signal: controller.signal,
    onListen: ({ hostname, port }) =>
      console.error(
        `functions listening on http://${hostname}:${port} (store: ${config.store.url})`,
      ),
  }, (request) => handler(request));
  for (const sig of ["SIGTERM", "SIGINT"] as const) {
    Deno.addSignalListener(sig, () => controller.abort());
  }
  try {
    handler = await openApp(config, controller.signal) ?? starting;
  } catch (e) {
    console.error(`functions: ${(e as Error).message}`);
    controller.abort();
    await server.finished;
    return 1;
  }
  await server.finished;
  return 0;
}

if (import.meta.main) Deno.exit(await main());
