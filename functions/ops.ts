/**
 * Operations routes: liveness, readiness (the store answers), Prometheus metrics, the OpenAPI
 * document and the API page rendered from it (`docs.ts`).
 *
 * @module
 */

import type { App, AppContext } from "./context.ts";
import { type OpenApiDoc, renderApiDocs } from "./docs.ts";

/** Registers `/healthz`, `/readyz`, `/metrics`, `/openapi.json` and `/docs`. */
export function registerOps(app: App, ctx: AppContext): void {
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
