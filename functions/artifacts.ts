/**
 * Artifact downloads: `GET /v1/jobs/{id}/artifacts/{path}` redirects to a presigned URL (MinIO)
 * or streams the bytes (the filesystem store). `path` may contain slashes and stays inside the
 * job's `jobs/<id>/` prefix: the document states the rules as a pattern ({@link RELATIVE_PATH}),
 * and {@link confineKey} enforces the same ones.
 *
 * @module
 */

import { z } from "@hono/zod-openapi";
import { JOB_ID_PATTERN, jobPrefix } from "../infra/mod.ts";
import { requireScope } from "./auth.ts";
import { type App, type AppContext, errorResponse, ERRORS } from "./context.ts";
import { JobId } from "./jobs.ts";
import { confineKey, MAX_RELATIVE_PATH, RELATIVE_PATH } from "./keys.ts";

const ArtifactPath = z.string().max(MAX_RELATIVE_PATH).regex(RELATIVE_PATH).openapi({
  param: { name: "path", in: "path" },
  description: "A path under the job's prefix: `/`-separated segments, none empty, `.` or `..`, " +
    "no backslash or control character",
  example: "report.html",
});

/** Registers the artifact download route. */
export function registerArtifacts(app: App, ctx: AppContext): void {
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/v1/jobs/{id}/artifacts/{path}",
    summary: "Download an artifact: a redirect to a presigned URL, or the bytes when the store " +
      "cannot presign. `path` may contain slashes.",
    request: { params: z.object({ id: JobId, path: ArtifactPath }) },
    responses: {
      200: {
        description: "The artifact's bytes (filesystem store), typed by its extension",
        content: { "*/*": { schema: { type: "string", format: "binary" } } },
      },
      302: {
        description: "Redirect to a presigned URL (MinIO)",
        headers: { Location: { schema: { type: "string" } } },
      },
      404: errorResponse("No such artifact"),
      ...ERRORS,
    },
  });
  app.get("/v1/jobs/:id/artifacts/*", requireScope(ctx.config.apiTokens, "read"), async (c) => {
    const id = c.req.param("id");
    if (!JOB_ID_PATTERN.test(id)) return c.json({ error: `Cannot read artifact: bad job id` }, 400);
    const marker = `/v1/jobs/${id}/artifacts/`;
    const raw = new URL(c.req.url).pathname;
    if (!raw.startsWith(marker)) return c.json({ error: "Cannot read artifact: bad path" }, 400);
    let path: string;
    try {
      path = decodeURIComponent(raw.slice(marker.length));
    } catch {
      return c.json({ error: "Cannot read artifact: the path is not valid percent-encoding" }, 400);
    }
    const confined = confineKey(jobPrefix(id), path);
    if ("error" in confined) {
      return c.json({ error: `Cannot read artifact: ${confined.error}` }, 400);
    }
    const url = await ctx.store.presignGet(confined.key, ctx.options.presignSeconds);
    if (url !== null) {
      await ctx.store.head(confined.key);
      return c.redirect(url, 302);
    }
    const obj = await ctx.store.getStream(confined.key);
    return c.body(obj.body, 200, {
      "content-type": contentType(path),
      "content-length": String(obj.size),
      etag: `"${obj.etag}"`,
    });
  });
}

const TYPES: Record<string, string> = {
  json: "application/json",
  html: "text/html; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  txt: "text/plain; charset=utf-8",
  log: "text/plain; charset=utf-8",
  yaml: "application/yaml",
  png: "image/png",
  svg: "image/svg+xml",
};

function contentType(path: string): string {
  const ext = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  return TYPES[ext] ?? "application/octet-stream";
}
