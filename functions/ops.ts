/**
 * Operations routes: liveness, readiness (the store answers), Prometheus metrics, the OpenAPI
 * document and a small HTML page of the API.
 *
 * @module
 */

import type { App, AppContext } from "./context.ts";

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
  app.get("/docs", (c) => {
    const doc = app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: { title: "cGML pipeline service", version: "1.0.0" },
    });
    const rows: string[] = [];
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      for (const [method, op] of Object.entries(item ?? {})) {
        const summary = (op as { summary?: string }).summary ?? "";
        rows.push(
          `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escape(path)}</code></td>` +
            `<td>${escape(summary)}</td></tr>`,
        );
      }
    }
    return c.html(
      `<!doctype html><meta charset="utf-8"><title>cGML API</title>` +
        `<h1>cGML pipeline service</h1><p>Machine-readable: <a href="/openapi.json">/openapi.json</a>` +
        `</p><table>${rows.join("")}</table>`,
    );
  });
}

function escape(s: string): string {
  return s.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
