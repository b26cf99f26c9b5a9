/**
 * Published model routes over `infra/models`: list the models, describe one (every committed
 * version with its metrics and source), and download a version's file — a redirect to a
 * presigned URL on S3, the bytes on the filesystem store, as for job artifacts. Inference is
 * `model_infer.ts`.
 *
 * @module
 */

import { createRoute, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import {
  listModelNames,
  listVersions,
  MODEL_FILES,
  MODEL_NAME,
  modelFileKey,
  NotFoundError,
  type ObjectStore,
  parseVersion,
  resolveModel,
  type VersionRecord,
} from "../infra/mod.ts";
import { requireScope } from "./auth.ts";
import { type App, type AppContext, errorResponse, ERRORS, type HandlerOf } from "./context.ts";

/** The `{name}` path parameter of the model routes. */
export const ModelName = z.string().regex(MODEL_NAME).openapi({
  param: { name: "name", in: "path" },
  description: "A model name: 1 to 64 of `a-z 0-9 . _ -`, starting with a letter or digit",
  example: "shapes",
});

/** A version number or `latest`. */
export const VERSION_TEXT = /^([1-9][0-9]{0,8}|latest)$/;

const Version = z.string().regex(VERSION_TEXT).openapi({
  param: { name: "version", in: "path" },
  description: "A version number (1, 2, …) or `latest`",
  example: "latest",
});

const FILE_NAMES = Object.values(MODEL_FILES);

const FilePath = z.enum(FILE_NAMES as [string, ...string[]]).openapi({
  param: { name: "path", in: "path" },
  description: "A file of the version",
  example: "config.json",
});

const VersionView = z.object({
  version: z.number().int(),
  created: z.string(),
  kind: z.string().describe("map, toy or image"),
  method: z.string().describe("cgml, or the baseline: l1, cvae, ce"),
  content: z.string().describe("sha256 over the files' paths and sha256s"),
  files: z.array(z.object({ path: z.string(), size: z.number().int(), sha256: z.string() })),
  source: z.object({
    pipeline: z.string(),
    run: z.string(),
    job: z.string().optional(),
    stage: z.string().optional(),
  }),
  metrics: z.unknown().describe("metrics.json: the model's evaluation and its probe's"),
}).openapi("ModelVersion");

const ModelOverview = z.object({
  name: z.string(),
  versions: z.number().int(),
  latest: z.number().int(),
  kind: z.string(),
  method: z.string(),
  updatedAt: z.string().describe("when the latest version was published"),
}).openapi("ModelOverview");

const ModelView = z.object({
  name: z.string(),
  latest: z.number().int(),
  versions: z.array(VersionView),
}).openapi("Model");

async function metricsOf(store: ObjectStore, v: VersionRecord): Promise<unknown> {
  if (!v.files.some((f) => f.path === MODEL_FILES.metrics)) return null;
  try {
    const body = (await store.get(modelFileKey(v.name, v.version, MODEL_FILES.metrics))).body;
    return JSON.parse(new TextDecoder().decode(body));
  } catch (e) {
    if (e instanceof NotFoundError || e instanceof SyntaxError) return null;
    throw e;
  }
}

/** Registers the model list, description and file routes. */
export function registerModels(app: App, ctx: AppContext): void {
  const read = requireScope(ctx.config.apiTokens, "read");

  app.openapi(listModelsRoute(read), listModels(ctx));
  app.openapi(showModelRoute(read), showModel(ctx));
  app.openapi(downloadModelFileRoute(read), downloadModelFile(ctx));
}

/** `GET /v1/models`: one page of published models. */
function listModelsRoute(auth: MiddlewareHandler) {
  return createRoute({
    method: "get",
    path: "/v1/models",
    summary: "List published models (versions, the latest, its kind and method)",
    middleware: [auth] as const,
    request: {
      query: z.object({
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        after: z.string().regex(MODEL_NAME).optional(),
      }),
    },
    responses: {
      200: {
        description: "One page of models in key order; pass `next` as `after` for the next",
        content: {
          "application/json": {
            schema: z.object({ models: z.array(ModelOverview), next: z.string().optional() }),
          },
        },
      },
      ...ERRORS,
    },
  });
}

/** One page of model overviews (each from its latest version) and `next`. */
function listModels(ctx: AppContext): HandlerOf<typeof listModelsRoute> {
  return async (c) => {
    const { limit, after } = c.req.valid("query");
    const page = await listModelNames(ctx.store, { limit, after });
    const models = [];
    for (const name of page.names) {
      const { versions } = await listVersions(ctx.store, name);
      const latest = versions.at(-1);
      if (latest === undefined) continue;
      models.push({
        name,
        versions: versions.length,
        latest: latest.version,
        kind: latest.kind,
        method: latest.method,
        updatedAt: latest.created,
      });
    }
    return c.json({ models, next: page.next }, 200);
  };
}

/** `GET /v1/models/{name}`: a model with every committed version. */
function showModelRoute(auth: MiddlewareHandler) {
  return createRoute({
    method: "get",
    path: "/v1/models/{name}",
    summary: "A model: every committed version with its metrics, source run and files",
    middleware: [auth] as const,
    request: { params: z.object({ name: ModelName }) },
    responses: {
      200: { description: "The model", content: { "application/json": { schema: ModelView } } },
      404: errorResponse("Nothing is published under that name"),
      ...ERRORS,
    },
  });
}

/** Every committed version with its metrics, or 404 when nothing is published. */
function showModel(ctx: AppContext): HandlerOf<typeof showModelRoute> {
  return async (c) => {
    const { name } = c.req.valid("param");
    const { versions } = await listVersions(ctx.store, name);
    if (versions.length === 0) {
      return c.json({ error: `Cannot find model "${name}": nothing is published` }, 404);
    }
    const views = [];
    for (const v of versions) {
      const { format: _, name: __, ...rest } = v;
      views.push({ ...rest, metrics: await metricsOf(ctx.store, v) });
    }
    return c.json({ name, latest: versions.at(-1)!.version, versions: views }, 200);
  };
}

/** `GET /v1/models/{name}/{version}/files/{path}`: a file of a model version. */
function downloadModelFileRoute(auth: MiddlewareHandler) {
  return createRoute({
    method: "get",
    path: "/v1/models/{name}/{version}/files/{path}",
    summary: "Download a file of a model version: a redirect to a presigned URL, or the bytes " +
      "when the store cannot presign",
    middleware: [auth] as const,
    request: { params: z.object({ name: ModelName, version: Version, path: FilePath }) },
    responses: {
      200: {
        description: "The file's bytes (filesystem store)",
        content: { "*/*": { schema: { type: "string", format: "binary" } } },
      },
      302: {
        description: "Redirect to a presigned URL (S3)",
        headers: { Location: { schema: { type: "string" } } },
      },
      404: errorResponse("No such model, version or file"),
      ...ERRORS,
    },
  });
}

/** A redirect to a presigned URL, or the bytes when the store cannot presign; 404 when absent. */
function downloadModelFile(
  ctx: AppContext,
): HandlerOf<typeof downloadModelFileRoute> {
  return async (c) => {
    const { name, version, path } = c.req.valid("param");
    const record = await resolveModel(ctx.store, { name, version: parseVersion(version) });
    if (!record.files.some((f) => f.path === path) && path !== MODEL_FILES.record) {
      return c.json({ error: `Cannot find ${path} in model ${name}@${record.version}` }, 404);
    }
    const key = modelFileKey(name, record.version, path);
    const url = await ctx.store.presignGet(key, ctx.options.presignSeconds);
    if (url !== null) return c.redirect(url, 302);
    const obj = await ctx.store.getStream(key);
    return c.body(obj.body, 200, {
      "content-type": path.endsWith(".json") ? "application/json" : "application/octet-stream",
      "content-length": String(obj.size),
      etag: `"${obj.etag}"`,
    });
  };
}
