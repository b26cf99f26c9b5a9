/**
 * The HTTP functions: one stateless Hono app over the store and the queue. Deploy it behind any
 * Hono adapter (`Deno.serve(app.fetch)` locally, see `main.ts`).
 *
 * ```ts
 * const app = createApp({ store, queue, config });
 * Deno.serve({ hostname: "127.0.0.1", port: 8000 }, app.fetch);
 * ```
 *
 * @module
 */

import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import {
  datasetRootFingerprint,
  InvalidKeyError,
  ModelError,
  NotFoundError,
  PreconditionFailedError,
  QueueError,
  StoreUnavailableError,
} from "../infra/mod.ts";
import type { App, AppContext, AppDeps } from "./context.ts";
import { registerArtifacts } from "./artifacts.ts";
import { registerDatasets } from "./datasets.ts";
import { registerEvents } from "./events.ts";
import { registerJobEvents } from "./job_events.ts";
import { registerJobs } from "./jobs.ts";
import { registerModelInfer } from "./model_infer.ts";
import { registerModels } from "./models.ts";
import { methodAwareNotFound } from "./methods.ts";
import { Metrics } from "./metrics.ts";
import { registerOps } from "./ops.ts";
import { registerPipelines } from "./pipelines.ts";
import { describeIssues, TriggerIndexCache } from "../pipelines/mod.ts";

export type { AppDeps, AppOptions } from "./context.ts";

/** Builds the app. Every route is registered; nothing is listened on. */
export function createApp(deps: AppDeps): App {
  const ctx: AppContext = {
    store: deps.store,
    queue: deps.queue,
    config: deps.config,
    options: {
      maxBodyBytes: deps.options?.maxBodyBytes ?? 1024 * 1024,
      presignSeconds: deps.options?.presignSeconds ?? 900,
      ssePollMs: deps.options?.ssePollMs ?? 500,
      sseHeartbeatMs: deps.options?.sseHeartbeatMs ?? 15_000,
      builtinDir: deps.options?.builtinDir,
    },
    metrics: new Metrics(),
    triggers: new TriggerIndexCache(),
    bucketFingerprint: datasetRootFingerprint(deps.store, deps.config.store.bucket),
  };
  const app: App = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (!result.success) {
        return c.json({
          error: `Cannot read the request: ${describeIssues(result.error.issues)}`,
          issues: result.error.issues,
        }, 400);
      }
      return undefined;
    },
  });
  app.use("*", async (c, next) => {
    const started = performance.now();
    await next();
    const route = c.req.routePath;
    ctx.metrics.inc("cgml_http_requests_total", "HTTP requests by route and status.", {
      method: c.req.method,
      route,
      status: String(c.res.status),
    });
    ctx.metrics.observe(route, (performance.now() - started) / 1000);
  });
  app.use(
    "/v1/*",
    bodyLimit({
      maxSize: ctx.options.maxBodyBytes,
      onError: (c) =>
        c.json({
          error: `Cannot read the request: the body exceeds ${ctx.options.maxBodyBytes} bytes`,
        }, 413),
    }),
  );
  app.onError((err, c) => {
    if (err instanceof HTTPException) {
      const status = err.status;
      return c.json({ error: `Cannot read the request: ${err.message}` }, status);
    }
    if (err instanceof NotFoundError) return c.json({ error: err.message }, 404);
    if (err instanceof ModelError) {
      return c.json({ error: err.message }, err.kind === "not-found" ? 404 : 422);
    }
    if (err instanceof InvalidKeyError || err instanceof QueueError) {
      return c.json({ error: err.message }, 400);
    }
    if (err instanceof PreconditionFailedError) return c.json({ error: err.message }, 409);
    if (err instanceof StoreUnavailableError) {
      return c.json({ error: `Cannot reach the store: ${err.message}` }, 503);
    }
    console.error(err);
    return c.json({ error: "Cannot complete the request: internal error" }, 500);
  });
  app.notFound(methodAwareNotFound(app));
  registerJobs(app, ctx);
  registerJobEvents(app, ctx);
  registerArtifacts(app, ctx);
  registerPipelines(app, ctx);
  registerDatasets(app, ctx);
  registerModels(app, ctx);
  registerModelInfer(app, ctx);
  registerEvents(app, ctx);
  registerOps(app, ctx);
  return app;
}
