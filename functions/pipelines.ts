/**
 * Pipeline routes: validate a pipeline file (with params), store and read named pipelines.
 *
 * @module
 */

import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { requireScope } from "./auth.ts";
import { type App, type AppContext, ERRORS, ErrorSchema } from "./context.ts";
import {
  checkPipeline,
  describeIssues,
  loadPipelineText,
  MAX_PIPELINE_BYTES,
  PIPELINE_NAME,
  PIPELINES_PREFIX,
} from "../pipelines/mod.ts";

const Name = z.string().regex(PIPELINE_NAME).openapi({ param: { name: "name", in: "path" } });

const ValidateJson = z.strictObject({
  text: z.string().min(1).max(MAX_PIPELINE_BYTES),
  params: z.record(z.string(), z.unknown()).optional(),
}).openapi("ValidateRequest");

const Validation = z.object({
  valid: z.boolean(),
  name: z.string().optional(),
  stages: z.array(z.object({ id: z.string(), uses: z.string() })).optional(),
  error: z.string().optional(),
  issues: z.array(z.unknown()).optional(),
}).openapi("Validation");

const YAML_TYPES = ["application/yaml", "application/x-yaml", "text/yaml", "text/plain"];

/** Registers the pipeline routes. */
export function registerPipelines(app: App, ctx: AppContext): void {
  const read = requireScope(ctx.config.apiTokens, "read");
  const write = requireScope(ctx.config.apiTokens, "write");

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/pipelines/validate",
      summary: "Validate a pipeline file: YAML text, or JSON {text, params}",
      middleware: [read] as const,
      request: {
        body: {
          content: {
            "application/json": { schema: ValidateJson },
            "application/yaml": { schema: z.string() },
          },
        },
      },
      responses: {
        200: { description: "Valid", content: { "application/json": { schema: Validation } } },
        422: {
          description: "Invalid, with positioned errors",
          content: { "application/json": { schema: Validation } },
        },
        415: { description: "Unsupported content type" },
        ...ERRORS,
      },
    }),
    async (c) => {
      const body = await readPipelineBody(c);
      if ("response" in body) return body.response;
      const checked = checkPipeline("pipeline.yaml", body.text, body.params);
      if ("error" in checked) {
        return c.json({ valid: false, error: checked.error, issues: checked.diagnostics }, 422);
      }
      const { plan } = checked;
      return c.json({
        valid: true,
        name: plan.name,
        stages: plan.stages.map((s) => ({ id: s.id, uses: s.uses })),
      }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/v1/pipelines/{name}",
      summary: "Store a pipeline under its name (the file's `name:` must match)",
      middleware: [write] as const,
      request: {
        params: z.object({ name: Name }),
        body: { content: { "application/yaml": { schema: z.string() } } },
      },
      responses: {
        200: {
          description: "Stored",
          content: {
            "application/json": { schema: z.object({ name: z.string(), etag: z.string() }) },
          },
        },
        422: {
          description: "Invalid pipeline",
          content: { "application/json": { schema: ErrorSchema } },
        },
        415: { description: "Unsupported content type" },
        ...ERRORS,
      },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      const body = await readPipelineBody(c, false);
      if ("response" in body) return body.response;
      const checked = checkPipeline(`${name}.yaml`, body.text);
      if ("error" in checked) {
        return c.json({
          error: `Cannot store pipeline "${name}": it is invalid\n${checked.error}`,
          issues: checked.diagnostics,
        }, 422);
      }
      if (checked.plan.name !== name) {
        return c.json({
          error: `Cannot store pipeline "${name}": the file's name is "${checked.plan.name}"`,
        }, 422);
      }
      const { etag } = await ctx.store.put(`${PIPELINES_PREFIX}${name}.yaml`, body.text, {
        contentType: "application/yaml",
      });
      return c.json({ name, etag }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/pipelines/{name}",
      summary: "A stored (or shipped) pipeline's YAML text",
      middleware: [read] as const,
      request: { params: z.object({ name: Name }) },
      responses: {
        200: { description: "The pipeline file (application/yaml)" },
        404: { description: "No such pipeline" },
        ...ERRORS,
      },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      const text = await loadPipelineText(
        { store: ctx.store, builtinDir: ctx.options.builtinDir },
        name,
      );
      if (text === null) return c.json({ error: `Cannot find pipeline "${name}"` }, 404);
      return c.body(text, 200, { "content-type": "application/yaml; charset=utf-8" });
    },
  );
}

type PipelineBody =
  | { text: string; params?: Record<string, unknown> }
  | { response: Response };

/** The pipeline text (and params) of a YAML or (when `json`) a JSON {text, params} body. */
async function readPipelineBody(c: Context, json = true): Promise<PipelineBody> {
  const type = (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
  const text = await c.req.text();
  if (json && type === "application/json") {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      return {
        response: c.json({
          error: `Cannot read the body: malformed JSON (${(e as Error).message})`,
        }, 400),
      };
    }
    const parsed = ValidateJson.safeParse(value);
    if (!parsed.success) {
      return {
        response: c.json(
          { error: `Cannot read the body: ${describeIssues(parsed.error.issues)}` },
          400,
        ),
      };
    }
    return parsed.data;
  }
  if (type !== "" && !YAML_TYPES.includes(type)) {
    const accepted = (json ? ["application/json", ...YAML_TYPES] : YAML_TYPES).join(", ");
    return {
      response: c.json({
        error: `Cannot read the body: content type ${type} is not one of ${accepted}`,
      }, 415),
    };
  }
  if (text.trim() === "") {
    return { response: c.json({ error: "Cannot read the body: it is empty" }, 400) };
  }
  return { text };
}
