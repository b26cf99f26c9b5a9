/**
 * `POST /v1/models/{name}/infer`: Eq. 4 inference of a published model as a job like any other
 * (the shipped `infer` pipeline: SSE progress, cancel, artifacts `predictions.csv`,
 * `samples.safetensors`, `modes.json`, `report.html`, `reconstructions/`).
 *
 * Before anything is queued the request is checked against the store: the version is resolved
 * (`latest` at submission: the job is pinned to it; an unknown model or version is 404); the
 * dataset must be a prefix `s3://<bucket>/datasets/<name>/…` of the service's bucket, holding
 * inputs for the model's kind in the split asked for; and k × inputs × values per output must
 * stay within `MAX_INFERENCE_VALUES` (1 GiB of float32 samples) — each a 422 naming the field.
 * Toy rows in CSV objects are counted by the worker (the functions do not read the objects): a
 * request too large for them fails its job with the reason.
 *
 * @module
 */

import { createRoute, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import {
  DatasetError,
  inSplit,
  isModelInput,
  MAX_INFERENCE_INPUTS,
  MAX_INFERENCE_VALUES,
  MODEL_FILES,
  modelFileKey,
  outputValues,
  parseDatasetRoot,
  parseVersion,
  readDatasetManifest,
  resolveModel,
  type VersionRecord,
} from "../infra/mod.ts";
import { prepareJob } from "../pipelines/mod.ts";
import { requireScope } from "./auth.ts";
import {
  type App,
  type AppContext,
  errorJson,
  errorResponse,
  ERRORS,
  type HandlerOf,
} from "./context.ts";
import { ModelName, VERSION_TEXT } from "./models.ts";

const InferRequest = z.strictObject({
  dataset: z.string().min(1).max(2048).optional().describe(
    "s3://<bucket>/datasets/<name>/ (or a prefix below it) in the service's bucket",
  ),
  inputs: z.array(z.unknown()).min(1).max(MAX_INFERENCE_INPUTS).optional().describe(
    "inline inputs instead of a dataset: toy rows [x…]; shapes {name, text} or " +
      "{name, points: [[x, y, z], …]}; images {name, base64}",
  ),
  split: z.enum(["train", "test", ""]).default("test").describe(
    "objects under a <split>/ folder; empty = all (a dataset without split folders is read whole)",
  ),
  k: z.number().int().min(1).max(1024).default(8).describe("draws of z₀ per input"),
  steps: z.number().int().min(0).max(1000).optional().describe(
    "Eq. 4 steps T (default: the model's published default)",
  ),
  version: z.string().regex(VERSION_TEXT).default("latest"),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  show: z.number().int().min(0).max(64).default(4).describe(
    "inputs whose draws are reconstructed in the report",
  ),
  tolerance: z.number().min(0).max(1e6).default(0).describe(
    "RMS distance within which two draws are one mode; 0 = the model kind's default",
  ),
  idempotencyKey: z.string().min(1).max(256).optional(),
}).openapi("InferRequest", {
  example: { dataset: "s3://cgml/datasets/shapes/", split: "test", k: 8 },
});

const InferAccepted = z.object({
  id: z.string(),
  status: z.string(),
  model: z.string(),
  version: z.number().int(),
  inputs: z.number().int().nullable().describe("inputs counted at submission (null: CSV rows)"),
}).openapi("InferAccepted");

type Request = z.output<typeof InferRequest>;

/** Why the request cannot run (a 422 message), or the number of inputs (null: not counted). */
async function countInputs(
  ctx: AppContext,
  record: VersionRecord,
  request: Request,
): Promise<{ error: string } | { inputs: number | null }> {
  if ((request.dataset === undefined) === (request.inputs === undefined)) {
    return { error: 'Cannot infer: give "dataset" or "inputs", exactly one of them' };
  }
  const config = JSON.parse(new TextDecoder().decode(
    (await ctx.store.get(modelFileKey(record.name, record.version, MODEL_FILES.config))).body,
  ));
  const { kind, values } = outputValues(config);
  let inputs: number | null;
  if (request.inputs !== undefined) {
    inputs = request.inputs.length;
  } else {
    let prefix: string;
    try {
      const root = parseDatasetRoot(request.dataset!, ctx.config.store.bucket, "dataset");
      if (root.kind !== "bucket") {
        return {
          error: `Cannot read dataset ${JSON.stringify(request.dataset)}: the API reads ` +
            `s3://${ctx.config.store.bucket}/datasets/<name>/ prefixes, not local folders`,
        };
      }
      prefix = root.prefix;
    } catch (e) {
      if (e instanceof DatasetError) return { error: e.message };
      throw e;
    }
    let manifest;
    try {
      manifest = await readDatasetManifest(ctx.store, prefix);
    } catch (e) {
      if (e instanceof DatasetError) return { error: e.message };
      throw e;
    }
    const kept = manifest.entries.filter((e) =>
      isModelInput(kind, e.path, e.class !== null) &&
      inSplit(e.split, request.split, manifest.entries)
    );
    if (kept.length === 0) {
      const where = request.split === "" ? "" : ` in split "${request.split}"`;
      return {
        error: `Cannot infer: ${request.dataset} holds no inputs for a ${kind} model${where}`,
      };
    }
    inputs = kind === "toy" ? null : kept.length;
  }
  if (inputs !== null && inputs * request.k * values > MAX_INFERENCE_VALUES) {
    const gib = (inputs * request.k * values * 4 / 2 ** 30).toFixed(1);
    return {
      error: `Cannot infer: k × inputs × values per output = ${request.k} × ${inputs} × ` +
        `${values} float32 values (${gib} GiB) exceeds the limit of ` +
        `${MAX_INFERENCE_VALUES * 4 / 2 ** 30} GiB; lower k or split the inputs`,
    };
  }
  return { inputs };
}

/** Registers `POST /v1/models/{name}/infer`. */
export function registerModelInfer(app: App, ctx: AppContext): void {
  app.openapi(
    submitInferenceRoute(requireScope(ctx.config.apiTokens, "write")),
    submitInference(ctx),
  );
}

/** `POST /v1/models/{name}/infer`: Eq. 4 inference of a published model as a job. */
function submitInferenceRoute(auth: MiddlewareHandler) {
  return createRoute({
    method: "post",
    path: "/v1/models/{name}/infer",
    summary: "Run Eq. 4 inference of a published model as a job (the `infer` pipeline)",
    middleware: [auth] as const,
    request: {
      params: z.object({ name: ModelName }),
      headers: z.object({ "idempotency-key": z.string().min(1).max(256).optional() }),
      body: { required: true, content: { "application/json": { schema: InferRequest } } },
    },
    responses: {
      202: {
        description: "Queued: follow it as any job (`/v1/jobs/{id}`, its events, artifacts)",
        headers: { Location: { schema: { type: "string" }, description: "the job's URL" } },
        content: { "application/json": { schema: InferAccepted } },
      },
      404: errorResponse("No such model or version"),
      409: errorResponse("The idempotency key's job was deleted: use a new key"),
      422: errorResponse(
        "Both or neither of dataset and inputs; a dataset outside the service's bucket or " +
          "without inputs for the model; k × inputs too large",
      ),
      ...ERRORS,
    },
  });
}

/** Resolves the version, counts the inputs, queues the `infer` pipeline and answers 202. */
function submitInference(ctx: AppContext): HandlerOf<typeof submitInferenceRoute> {
  return async (c) => {
    const { name } = c.req.valid("param");
    const request = c.req.valid("json");
    const record = await resolveModel(ctx.store, {
      name,
      version: parseVersion(request.version),
    });
    const counted = await countInputs(ctx, record, request);
    if ("error" in counted) return errorJson(c, counted.error, 422);
    const params: Record<string, unknown> = {
      model: `${name}@${record.version}`,
      dataset: request.dataset ?? "",
      inputs: request.inputs ?? [],
      split: request.split,
      k: request.k,
      steps: request.steps ?? -1,
      seed: request.seed,
      show: request.show,
      tolerance: request.tolerance,
    };
    const prepared = await prepareJob(
      { store: ctx.store, builtinDir: ctx.options.builtinDir },
      { pipeline: "infer", params },
    );
    if (!prepared.ok) {
      return errorJson(c, prepared.error, 422, prepared.diagnostics);
    }
    const key = c.req.valid("header")["idempotency-key"] ?? request.idempotencyKey;
    const { id, created, deleted } = await ctx.queue.enqueue(prepared.payload, {
      idempotencyKey: key === undefined ? undefined : `api:infer:${key}`,
    });
    if (deleted) {
      return errorJson(
        c,
        `Cannot submit the inference: idempotency key "${key}" belonged to job ${id}, which ` +
          "was deleted; use a new key",
        409,
      );
    }
    ctx.metrics.inc(
      "cgml_jobs_enqueued_total",
      "Jobs enqueued.",
      { via: "infer" },
      created ? 1 : 0,
    );
    const status = created ? "queued" : (await ctx.queue.get(id))?.status ?? "queued";
    c.header("Location", `/v1/jobs/${id}`);
    return c.json(
      { id, status, model: name, version: record.version, inputs: counted.inputs },
      202,
    );
  };
}
