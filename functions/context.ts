/**
 * What every route module receives: the store, the queue, configuration, options and metrics,
 * plus the shared error responses and schemas.
 *
 * @module
 */

import { z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler, TypedResponse } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { JSONValue } from "hono/utils/types";
import type { OpenAPIHono, RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { Config, ObjectStore, Queue } from "../infra/mod.ts";
import type { BucketFingerprint, TriggerIndexCache } from "../pipelines/mod.ts";
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
  /** Stored pipelines' triggers, shared by the webhook and reloaded when a pipeline is stored. */
  triggers: TriggerIndexCache;
  /** Checks the bucket datasets a submitted job reads, as the worker plans them. */
  bucketFingerprint: BucketFingerprint;
}

/** The app type the route modules register on. */
export type App = OpenAPIHono;

/**
 * The handler type of the route that `route` builds. Each route module declares a route as a
 * function of its auth middleware (`xRoute(auth)`, the document's part) and its handler as a
 * function of the context (`x(ctx): HandlerOf<typeof xRoute>`), and registers them with
 * `app.openapi(xRoute(read), x(ctx))`.
 */
export type HandlerOf<R extends (auth: MiddlewareHandler) => RouteConfig> = RouteHandler<
  ReturnType<R>
>;

/** An error body: a message starting "Cannot …", and details where there are some. */
export const ErrorSchema = z.object({
  error: z.string(),
  issues: z.array(z.unknown()).optional(),
}).openapi("Error");

/** An error response: a description and the {@link ErrorSchema} body. */
export function errorResponse(description: string) {
  return { description, content: { "application/json": { schema: ErrorSchema } } };
}

/** Error responses shared by the authenticated routes. */
export const ERRORS = {
  400: errorResponse("Malformed request: the body, a parameter or a header breaks the schema"),
  401: errorResponse("Missing or malformed bearer token (with `WWW-Authenticate: Bearer`)"),
  403: errorResponse("Unknown token or insufficient scope"),
  413: errorResponse("Request body too large"),
};

/**
 * `schema` with JSON Schema keywords the OpenAPI metadata type does not list (such as
 * `propertyNames`) added to its document. They are not checked by zod: the route checks them.
 */
export function withKeywords<T extends z.ZodType>(schema: T, keywords: Record<string, unknown>): T {
  const openapi = schema.openapi as unknown as (this: T, metadata: Record<string, unknown>) => T;
  return openapi.call(schema, keywords);
}

/** An {@link ErrorSchema} response typed per status, so a route may return one of several. */
export type ErrorJson<S extends ContentfulStatusCode> = S extends ContentfulStatusCode
  ? Response & TypedResponse<{ error: string; issues?: JSONValue[] }, S, "json">
  : never;

/** `c.json` of an error body whose status is one of several (typed per status). */
export function errorJson<S extends ContentfulStatusCode>(
  c: Context,
  error: string,
  status: S,
  issues?: readonly unknown[],
): ErrorJson<S> {
  const body = issues === undefined ? { error } : { error, issues: issues as JSONValue[] };
  return c.json(body, status) as unknown as ErrorJson<S>;
}
