/**
 * Operations routes: liveness, readiness (the store answers), Prometheus metrics, the OpenAPI
 * document and the API page rendered from it (`docs.ts`).
 *
 * @module
 */

import { z } from "@hono/zod-openapi";
import type { App, AppContext } from "./context.ts";
import { type OpenApiDoc, renderApiDocs } from "./docs.ts";

const TEXT = { schema: z.string() };

/** The operations routes in the document: no token needed, so `security: []`. */
function describeOps(app: App): void {
  const Status = z.object({ status: z.string(), store: z.string().optional() });
  const Unavailable = z.object({ status: z.string(), error: z.string() });
  type Responses = Parameters<App["openAPIRegistry"]["registerPath"]>[0]["responses"];
  const paths: [string, string, Responses][] = [
    ["/healthz", "Liveness", {
      200: { description: "Alive", content: { "application/json": { schema: Status } } },
    }],
    ["/readyz", "Readiness: the store answers", {
      200: { description: "Ready", content: { "application/json": { schema: Status } } },
      503: {
        description: "The store cannot be reached",
        content: { "application/json": { schema: Unavailable } },
      },
    }],
    ["/metrics", "Prometheus metrics", {
      200: { description: "Prometheus text format 0.0.4", content: { "text/plain": TEXT } },
    }],
    ["/openapi.json", "This OpenAPI 3.1 document", {
      200: {
        description: "The document",
        content: { "application/json": { schema: z.record(z.string(), z.unknown()) } },
      },
    }],
    ["/docs", "The document as an HTML page", {
      200: { description: "The page", content: { "text/html": TEXT } },
    }],
  ];
  for (const [path, summary, responses] of paths) {
    app.openAPIRegistry.registerPath({
      method: "get",
      path,
      summary,
      security: [],
      responses,
    });
  }
}

/** Registers `/healthz`, `/readyz`, `/metrics`, `/openapi.json` and `/docs`. */
export function registerOps(app: App, ctx: AppContext): void {
  describeOps(app);
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    try {
      await ctx.store.list(ctx.queue.prefix, { limit: 1 });
      return c.json({ status: "ready", store: ctx.store.kind });
    } catch (e) {
      return c.json({
        status: "unavailable",
        error: `Cannot reach the store: ${(e as Error).message}`,
      }, 503);
    }
  });
  app.get(
    "/metrics",
    (c) =>
      c.body(ctx.metrics.render(), 200, {
        "content-type": "text/plain; version=0.0.4; charset=utf-8",
      }),
  );
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: { title: "cGML pipeline service", version: "1.0.0" },
    security: [{ bearer: [] }],
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
  });
  app.get("/docs", (c) =>
    c.html(
      renderApiDocs(app.getOpenAPI31Document({
        openapi: "3.1.0",
        info: { title: "cGML pipeline service", version: "1.0.0" },
      }) as OpenApiDoc),
    ));
}
