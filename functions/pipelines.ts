/**
 * Pipeline routes: validate a pipeline file (with params), store and read named pipelines.
 *
 * The document states what is checked before the compiler runs: a pipeline text has a
 * non-space character and at most {@link MAX_PIPELINE_CHARS} characters, a stored pipeline's name
 * matches {@link STORED_PIPELINE_NAME}. Whether the text is a valid pipeline is the compiler's
 * answer: 422 with positioned diagnostics.
 *
 * @module
 */

import { createRoute, z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { requireScope } from "./auth.ts";
import {
  type App,
  type AppContext,
  errorJson,
  errorResponse,
  ERRORS,
  type HandlerOf,
  withKeywords,
} from "./context.ts";
import {
  checkPipeline,
  describeIssues,
  IDENTIFIER,
  loadPipelineText,
  MAX_PIPELINE_BYTES,
  PIPELINES_PREFIX,
} from "../pipelines/mod.ts";
import { PIPELINE_FILE_REF, registerPipelineFileSchema } from "./pipeline_file.ts";

/**
 * Names a pipeline can be stored and run under: a pipeline file's `name:` (lowercase letters,
 * digits and dashes, starting with a letter) of at most 64 characters.
 */
export const STORED_PIPELINE_NAME = /^[a-z][a-z0-9-]{0,63}$/;

/** Most characters of a pipeline text (so at most {@link MAX_PIPELINE_BYTES} in UTF-8). */
export const MAX_PIPELINE_CHARS = MAX_PIPELINE_BYTES / 4;

/** A name the routes keep for themselves: `/v1/pipelines/validate` is not a pipeline. */
const RESERVED_NAME = "validate";

const Name = withKeywords(
  z.string().regex(STORED_PIPELINE_NAME).openapi({
    param: { name: "name", in: "path" },
    example: "toy-multimodal",
  }),
  { not: { const: RESERVED_NAME } },
);

/** The answer for the reserved name (with `Allow: POST, OPTIONS`). */
const RESERVED = errorResponse(
  `"${RESERVED_NAME}" is not a pipeline name: that path only takes POST`,
);

/** Sends the reserved name to the not-found handler: 405 with the validate route's methods. */
const notReserved: MiddlewareHandler = async (c, next) => {
  if (c.req.param("name") === RESERVED_NAME) return c.notFound();
  return await next();
};

/** What a pipeline text must contain: a character other than space, tab, CR or LF. */
const NOT_BLANK = /[^ \t\r\n]/;

/** A pipeline file's text in a JSON body; {@link refuseText} enforces what this states. */
const PipelineText = z.string().openapi({
  minLength: 1,
  maxLength: MAX_PIPELINE_CHARS,
  pattern: NOT_BLANK.source,
});

const ValidateJson = z.strictObject({
  text: PipelineText,
  params: withKeywords(z.record(z.string(), z.unknown()).optional(), {
    propertyNames: { pattern: IDENTIFIER.source },
  }),
}).openapi("ValidateRequest");

/** A YAML body: a pipeline file of at most {@link MAX_PIPELINE_CHARS} characters. */
const YAML_BODY = {
  "application/yaml": {
    schema: {
      ...PIPELINE_FILE_REF,
      description: `A pipeline file in YAML, at most ${MAX_PIPELINE_CHARS} characters (else 413)`,
    },
  },
};

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
  registerPipelineFileSchema(app);
  app.openAPIRegistry.register("ValidateRequest", ValidateJson);

  app.openapi(validatePipelineRoute(read), validatePipeline());
  app.openapi(storePipelineRoute(write), storePipeline(ctx));
  app.openapi(showPipelineRoute(read), showPipeline(ctx));
}

/** `POST /v1/pipelines/validate`: validate a pipeline file (YAML, or JSON with params). */
function validatePipelineRoute(auth: MiddlewareHandler) {
  return createRoute({
    method: "post",
    path: "/v1/pipelines/validate",
    summary: "Validate a pipeline file: YAML text, or JSON {text, params}",
    middleware: [auth] as const,
    request: {
      body: {
        required: true,
        content: {
          // A reference, not the zod schema: the handler reads both media types itself.
          "application/json": { schema: { $ref: "#/components/schemas/ValidateRequest" } },
          ...YAML_BODY,
        },
      },
    },
    responses: {
      200: { description: "Valid", content: { "application/json": { schema: Validation } } },
      422: {
        description: "Invalid, with positioned errors",
        content: { "application/json": { schema: Validation } },
      },
      415: errorResponse("Unsupported content type"),
      ...ERRORS,
    },
  });
}

/** Compiles the body's pipeline: 200 with its stages, 422 with positioned diagnostics. */
function validatePipeline(): HandlerOf<typeof validatePipelineRoute> {
  return async (c) => {
    const body = await readPipelineBody(c);
    if ("error" in body) return errorJson(c, body.error, body.status);
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
  };
}

/** `PUT /v1/pipelines/{name}`: store a pipeline under its name. */
function storePipelineRoute(auth: MiddlewareHandler) {
  return createRoute({
    method: "put",
    path: "/v1/pipelines/{name}",
    summary: "Store a pipeline under its name (the file's `name:` must match)",
    middleware: [auth, notReserved] as const,
    request: {
      params: z.object({ name: Name }),
      body: { required: true, content: YAML_BODY },
    },
    responses: {
      200: {
        description: "Stored",
        content: {
          "application/json": { schema: z.object({ name: z.string(), etag: z.string() }) },
        },
      },
      422: errorResponse("Not a valid pipeline, or its `name:` is not `{name}`"),
      405: RESERVED,
      415: errorResponse("Unsupported content type"),
      ...ERRORS,
    },
  });
}

/** Checks the pipeline and that its `name:` is `{name}`, stores it and reloads the triggers. */
function storePipeline(ctx: AppContext): HandlerOf<typeof storePipelineRoute> {
  return async (c) => {
    const { name } = c.req.valid("param");
    const body = await readPipelineBody(c, false);
    if ("error" in body) return errorJson(c, body.error, body.status);
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
    ctx.triggers.invalidate();
    return c.json({ name, etag }, 200);
  };
}

/** `GET /v1/pipelines/{name}`: a stored (or shipped) pipeline's YAML text. */
function showPipelineRoute(auth: MiddlewareHandler) {
  return createRoute({
    method: "get",
    path: "/v1/pipelines/{name}",
    summary: "A stored (or shipped) pipeline's YAML text",
    middleware: [auth, notReserved] as const,
    request: { params: z.object({ name: Name }) },
    responses: {
      200: {
        description: "The pipeline file as stored (YAML, comments kept)",
        content: {
          "application/yaml": {
            schema: { type: "object", description: "A pipeline file (see PipelineFile)" },
          },
        },
      },
      404: errorResponse("No such pipeline"),
      405: RESERVED,
      ...ERRORS,
    },
  });
}

/** The pipeline's text as stored, or 404. */
function showPipeline(ctx: AppContext): HandlerOf<typeof showPipelineRoute> {
  return async (c) => {
    const { name } = c.req.valid("param");
    const text = await loadPipelineText(
      { store: ctx.store, builtinDir: ctx.options.builtinDir },
      name,
    );
    if (text === null) return c.json({ error: `Cannot find pipeline "${name}"` }, 404);
    return c.body(text, 200, { "content-type": "application/yaml; charset=utf-8" });
  };
}

/** Why a body cannot be read: the message and its status. */
interface Refusal {
  error: string;
  status: 400 | 413 | 415;
}

type PipelineBody = { text: string; params?: Record<string, unknown> } | Refusal;

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
        error: `Cannot read the body: malformed JSON (${(e as Error).message})`,
        status: 400,
      };
    }
    const parsed = ValidateJson.safeParse(value);
    if (!parsed.success) {
      return {
        error: `Cannot read the body: ${describeIssues(parsed.error.issues)}`,
        status: 400,
      };
    }
    // Past maxLength a JSON `text` breaks the schema (400); a YAML body is just too large (413).
    const refused = refuseText(parsed.data.text, 400);
    return refused ?? parsed.data;
  }
  if (type !== "" && !YAML_TYPES.includes(type)) {
    const accepted = (json ? ["application/json", ...YAML_TYPES] : YAML_TYPES).join(", ");
    return {
      error: `Cannot read the body: content type ${type} is not one of ${accepted}`,
      status: 415,
    };
  }
  return refuseText(text, 413) ?? { text };
}

/** Why {@link PipelineText} refuses `text`, or `null` when it accepts it. */
function refuseText(text: string, tooLong: 400 | 413): Refusal | null {
  if (!NOT_BLANK.test(text)) {
    return { error: "Cannot read the body: the pipeline text is blank", status: 400 };
  }
  if ([...text].length > MAX_PIPELINE_CHARS) {
    return {
      error: `Cannot read the body: the pipeline is longer than ${MAX_PIPELINE_CHARS} characters`,
      status: tooLong,
    };
  }
  return null;
}
