/**
 * Answers for methods a route does not have: `405 Method Not Allowed` with an `Allow` header
 * listing the methods it has (RFC 9110 §15.5.6), and `204` with `Allow` for `OPTIONS`. Paths
 * that no route matches stay 404. `HEAD` is allowed wherever `GET` is (Hono answers it). A
 * static route is its own resource: on `/v1/pipelines/validate` only its methods count, not
 * those of `/v1/pipelines/{name}` (whose handlers send that name here, see `pipelines.ts`).
 *
 * @module
 */

import type { Context } from "hono";
import type { App } from "./context.ts";

/** The route table as patterns and their methods, read once every route is registered. */
type RouteTable = { pattern: RegExp; fixed: boolean; methods: Set<string> }[];

/** A Hono route path (`/v1/jobs/:id/artifacts/*`) as an anchored pattern. */
export function routePattern(path: string): RegExp {
  const parts = path.split("/").map((part) =>
    part === "*"
      ? ".*"
      : part.startsWith(":")
      ? "[^/]+"
      : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  );
  return new RegExp(`^${parts.join("/")}/?$`);
}

function routeTable(app: App): RouteTable {
  const byPath = new Map<string, Set<string>>();
  for (const route of app.routes) {
    if (route.method === "ALL") continue;
    const methods = byPath.get(route.path) ?? new Set<string>();
    methods.add(route.method.toUpperCase());
    byPath.set(route.path, methods);
  }
  return [...byPath].map(([path, methods]) => ({
    pattern: routePattern(path),
    fixed: !/[:*]/.test(path),
    methods,
  }));
}

/** The methods allowed on `path` (with HEAD and OPTIONS), or `null` when no route matches it. */
export function allowedMethods(table: RouteTable, path: string): string[] | null {
  const matching = table.filter((route) => route.pattern.test(path));
  const fixed = matching.filter((route) => route.fixed);
  const methods = new Set<string>();
  for (const route of fixed.length > 0 ? fixed : matching) {
    for (const m of route.methods) methods.add(m);
  }
  if (methods.size === 0) return null;
  if (methods.has("GET")) methods.add("HEAD");
  methods.add("OPTIONS");
  const order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
  return [...methods].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}

/**
 * A not-found handler: 405 (or 204 for `OPTIONS`) with `Allow` when the path has routes under
 * other methods, otherwise 404. Reads the route table on first use, after registration.
 */
export function methodAwareNotFound(app: App): (c: Context) => Response {
  let table: RouteTable | undefined;
  return (c) => {
    table ??= routeTable(app);
    const allow = allowedMethods(table, c.req.path);
    if (allow === null) {
      return c.json({ error: `Cannot find ${c.req.method} ${c.req.path}` }, 404);
    }
    c.header("Allow", allow.join(", "));
    if (c.req.method === "OPTIONS") return c.body(null, 204);
    return c.json({
      error: `Cannot ${c.req.method} ${c.req.path}: the allowed methods are ${allow.join(", ")}`,
    }, 405);
  };
}
