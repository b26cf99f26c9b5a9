/**
 * Bearer-token authentication with `read` / `write` scopes, compared in constant time.
 *
 * With no API token configured the API is open (a loopback-only development setup; `main.ts`
 * refuses to listen elsewhere then). A missing or malformed `Authorization` header answers 401
 * with `WWW-Authenticate: Bearer`; a token that is unknown or lacks the scope answers 403.
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";
import type { TokenScope } from "../infra/mod.ts";

/** Compares two strings in time that depends only on their lengths. */
export function timingSafeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ (y[i % Math.max(1, y.length)] ?? 0);
  return diff === 0;
}

/** The bearer token of a request, `undefined` when absent, `null` when malformed. */
export function bearerToken(header: string | undefined): string | undefined | null {
  if (header === undefined) return undefined;
  const match = /^Bearer[ ]+([A-Za-z0-9._~+/=-]+)[ ]*$/i.exec(header);
  return match ? match[1] : null;
}

/** The scope granted to `token` (checking every configured token), or `null`. */
export function scopeOf(
  tokens: readonly { token: string; scope: TokenScope }[],
  token: string,
): TokenScope | null {
  let found: TokenScope | null = null;
  for (const t of tokens) {
    if (timingSafeEqual(t.token, token) && found !== "write") found = t.scope;
  }
  return found;
}

/** Middleware that requires `scope` (`write` implies `read`). */
export function requireScope(
  tokens: readonly { token: string; scope: TokenScope }[],
  scope: TokenScope,
): MiddlewareHandler {
  return async (c, next) => {
    if (tokens.length === 0) return await next();
    const token = bearerToken(c.req.header("authorization"));
    if (!token) {
      c.header("WWW-Authenticate", 'Bearer realm="cgml"');
      const reason = token === null ? "a malformed" : "no";
      return c.json({ error: `Cannot authenticate: ${reason} bearer token` }, 401);
    }
    const granted = scopeOf(tokens, token);
    if (granted === null) return c.json({ error: "Cannot authorize: unknown token" }, 403);
    if (scope === "write" && granted !== "write") {
      return c.json({ error: "Cannot authorize: the token has read scope only" }, 403);
    }
    return await next();
  };
}

/**
 * The webhook token of a request, from (in this order) `Authorization: Bearer` (MinIO),
 * `Authorization: Basic` with the token as password (versitygw with URL credentials), or the
 * `token` query parameter. `undefined` when absent, `null` when an `Authorization` header is
 * malformed.
 */
export function webhookToken(
  authorization: string | undefined,
  query: string | undefined,
): string | undefined | null {
  if (authorization !== undefined) {
    const basic = /^Basic[ ]+([A-Za-z0-9+/=]+)[ ]*$/i.exec(authorization);
    if (basic) {
      let decoded: string;
      try {
        decoded = new TextDecoder("utf-8", { fatal: true }).decode(
          Uint8Array.from(atob(basic[1]), (ch) => ch.charCodeAt(0)),
        );
      } catch {
        return null;
      }
      const colon = decoded.indexOf(":");
      return colon < 0 ? null : decoded.slice(colon + 1);
    }
    return bearerToken(authorization);
  }
  return query === undefined || query === "" ? undefined : query;
}

/**
 * Middleware for the bucket webhook: its own token ({@link webhookToken}), compared in constant
 * time; no token configured refuses every call.
 */
export function requireWebhookToken(expected: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (expected === undefined) {
      return c.json({ error: "Cannot accept events: CGML_WEBHOOK_TOKEN is not configured" }, 403);
    }
    const token = webhookToken(c.req.header("authorization"), c.req.query("token"));
    if (!token) {
      c.header("WWW-Authenticate", 'Bearer realm="cgml-webhook"');
      const reason = token === null ? "a malformed" : "no";
      return c.json({ error: `Cannot authenticate the event: ${reason} token` }, 401);
    }
    if (!timingSafeEqual(expected, token)) {
      return c.json({ error: "Cannot authorize the event: wrong token" }, 403);
    }
    return await next();
  };
}
