/**
 * What every route module receives: the store, the queue, configuration, options and metrics,
 * plus the shared error responses and schemas.
 *
 * @module
 */

import { z } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Config, ObjectStore, Queue } from "../infra/mod.ts";
import type { Metrics } from "./metrics.ts";

/** Tunables of the app; every field has a default. */
export interface AppOptions {
  /** Largest request body, in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Lifetime of presigned URLs, in seconds (default 900). */
  presignSeconds?: number;
  /** How often an SSE stream polls the job (default 500 ms). */
  ssePollMs?: number;
  /** Keep-alive comment period of SSE streams (default 15 s). */
  sseHeartbeatMs?: number;
  /** Folder of shipped pipelines (default: the repository's `pipelines/`). */
  builtinDir?: URL;
}

/** Dependencies of {@link createApp}; the app keeps no other state (metrics aside). */
export interface AppDeps {
  store: ObjectStore;
  queue: Queue;
  config: Pick<Config, "apiTokens" | "webhookToken"> & { store: Pick<Config["store"], "bucket"> };
  options?: AppOptions;
}

/** Resolved dependencies and shared state handed to the route modules. */
export interface AppContext {
  store: ObjectStore;
  queue: Queue;
  config: AppDeps["config"];
  options: Required<Omit<AppOptions, "builtinDir">> & Pick<AppOptions, "builtinDir">;
  metrics: Metrics;
}

/** The app type the route modules register on. */
export type App = OpenAPIHono;

/** An error body: a message starting "Cannot …", and details where there are some. */
export const ErrorSchema = z.object({
  error: z.string(),
  issues: z.array(z.unknown()).optional(),
}).openapi("Error");

/** Error responses shared by the authenticated routes (no typed body, so handlers may return
 * any Response). */
export const ERRORS = {
  400: { description: "Malformed request" },
  401: { description: "Missing or malformed bearer token" },
  403: { description: "Unknown token or insufficient scope" },
  413: { description: "Request body too large" },
} as const;
