/**
 * Test fixtures of the functions: an app over a fresh filesystem store and queue.
 *
 * @module
 */

import { FsStore, Queue } from "../infra/mod.ts";
import { createApp } from "./app.ts";
import type { AppOptions } from "./context.ts";

/** A write token, a read token and the webhook token of {@link withApp}. */
export const TOKENS = {
  write: "write-token-0123456789",
  read: "read-token-0123456789ab",
  webhook: "webhook-token-0123456789",
} as const;

/** What {@link withApp} hands to a test. */
export interface AppFixture {
  app: ReturnType<typeof createApp>;
  store: FsStore;
  queue: Queue;
  /** `app.request` with the write token (unless `headers.authorization` is given). */
  call(path: string, init?: RequestInit): Promise<Response>;
}

/** A minimal valid pipeline named `name` (one cheap stage). */
export function tinyPipeline(name = "tiny"): string {
  return [
    "version: 1",
    `name: ${name}`,
    "params:",
    "  n:",
    "    type: int",
    "    default: 64",
    "    min: 1",
    "stages:",
    "  data:",
    "    uses: toy.data@1",
    "    with:",
    "      pairs: ${{ params.n }}",
    "      truth: 16",
    "",
  ].join("\n");
}

/** Runs `fn` with an app over a temporary filesystem store; removes the store after. */
export async function withApp(
  fn: (f: AppFixture) => Promise<void>,
  options: AppOptions = {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cgml-functions-" });
  try {
    const store = await FsStore.open(dir);
    const queue = await Queue.open(store, { heartbeatMs: 0 });
    const app = createApp({
      store,
      queue,
      config: {
        apiTokens: [{ token: TOKENS.write, scope: "write" }, { token: TOKENS.read, scope: "read" }],
        webhookToken: TOKENS.webhook,
        store: { bucket: "cgml" },
      },
      options,
    });
    const call = async (path: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      if (!headers.has("authorization")) headers.set("authorization", `Bearer ${TOKENS.write}`);
      return await app.request(path, { ...init, headers });
    };
    await fn({ app, store, queue, call });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
