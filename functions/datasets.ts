/**
 * Dataset routes: presigned PUT URLs for files under `datasets/<name>/` (here), and the list,
 * description and manifest routes (`dataset_views.ts`).
 *
 * @module
 */

import { createRoute, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { requireScope } from "./auth.ts";
import { type App, type AppContext, errorResponse, ERRORS, type HandlerOf } from "./context.ts";
import { registerDatasetViews } from "./dataset_views.ts";
import { confineKey, MAX_RELATIVE_PATH, RELATIVE_PATH, SEGMENT_NAME } from "./keys.ts";

const Name = z.string().regex(SEGMENT_NAME).openapi({
  param: { name: "name", in: "path" },
  example: "shapes",
});

const UploadRequest = z.strictObject({
  files: z.array(z.strictObject({
    path: z.string().max(MAX_RELATIVE_PATH).regex(RELATIVE_PATH).openapi({
      description: "A path under `datasets/<name>/`: `/`-separated segments, none empty, `.` " +
        "or `..`, no backslash or control character",
    }),
  })).min(1).max(1000),
}).openapi("UploadRequest", { example: { files: [{ path: "chair/train/chair_0001.off" }] } });

const Uploads = z.object({
  uploads: z.array(z.object({
    path: z.string(),
    key: z.string(),
    method: z.literal("PUT"),
    url: z.string(),
    expiresAt: z.string(),
  })),
}).openapi("Uploads");

/** Registers the dataset routes. */
export function registerDatasets(app: App, ctx: AppContext): void {
  registerDatasetViews(app, ctx);
  app.openapi(
    presignUploadsRoute(requireScope(ctx.config.apiTokens, "write")),
    presignUploads(ctx),
  );
}

/** `POST /v1/datasets/{name}/uploads`: presigned PUT URLs for dataset files. */
function presignUploadsRoute(auth: MiddlewareHandler) {
  return createRoute({
    method: "post",
    path: "/v1/datasets/{name}/uploads",
    summary: "Presigned PUT URLs for uploading dataset files",
    middleware: [auth] as const,
    request: {
      params: z.object({ name: Name }),
      body: { required: true, content: { "application/json": { schema: UploadRequest } } },
    },
    responses: {
      200: {
        description: "One URL per file",
        content: { "application/json": { schema: Uploads } },
      },
      501: errorResponse("The store cannot presign URLs (filesystem store)"),
      ...ERRORS,
    },
  });
}

/**
 * One presigned PUT URL per file, each confined to `datasets/<name>/`; 501 when the store cannot
 * presign.
 */
function presignUploads(ctx: AppContext): HandlerOf<typeof presignUploadsRoute> {
  return async (c) => {
    const { name } = c.req.valid("param");
    const { files } = c.req.valid("json");
    const keys: { path: string; key: string }[] = [];
    for (const f of files) {
      const confined = confineKey(`datasets/${name}/`, f.path);
      if ("error" in confined) {
        return c.json({ error: `Cannot presign an upload: ${confined.error}` }, 400);
      }
      keys.push({ path: f.path, key: confined.key });
    }
    const seconds = ctx.options.presignSeconds;
    const expiresAt = new Date(Date.now() + seconds * 1000).toISOString();
    const uploads = [];
    for (const { path, key } of keys) {
      const url = await ctx.store.presignPut(key, seconds);
      if (url === null) {
        return c.json({
          error: `Cannot presign uploads: the ${ctx.store.kind} store has no presigned URLs; ` +
            `copy the files under datasets/${name}/ in the store directly, or use MinIO`,
        }, 501);
      }
      uploads.push({ path, key, method: "PUT" as const, url, expiresAt });
    }
    return c.json({ uploads }, 200);
  };
}
