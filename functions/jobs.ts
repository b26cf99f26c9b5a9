/**
 * Job routes: submit, status, list, cancel, delete. Progress over SSE is in `job_events.ts`,
 * artifact downloads in `artifacts.ts`.
 *
 * Cancel is `POST /v1/jobs/{id}/cancel`: the job ends `cancelled` and stays listed with its
 * artifacts. `DELETE /v1/jobs/{id}` removes a finished job — its record and every object under
 * `jobs/<id>/` — after which it is 404 everywhere; a queued or running job answers 409 (cancel
 * it first). The idempotency key of a deleted job stays spent: a retried `POST /v1/jobs` with it
 * answers 409 instead of starting the work again.
 *
 * @module
 */

import { createRoute, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { JOB_ID_PATTERN, JOB_STATUSES, jobPrefix, type JobStatus } from "../infra/mod.ts";
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
import { IDENTIFIER, type JobPayload, JobRequestSchema, prepareJob } from "../pipelines/mod.ts";
import { PIPELINE_FILE_REF } from "./pipeline_file.ts";
import { STORED_PIPELINE_NAME } from "./pipelines.ts";

/** The `{id}` path parameter of the job routes. */
export const JobId = z.string().regex(JOB_ID_PATTERN).openapi({
  param: { name: "id", in: "path" },
  example: "20260101T120000000Z-0123abcd",
});

const Accepted = z.object({ id: z.string(), status: z.enum(JOB_STATUSES) }).openapi("Accepted");

/** The public view of a job, as every job route returns it. */
export const JobView = z.object({
  id: z.string(),
  status: z.enum(JOB_STATUSES),
  pipeline: z.string().optional(),
  progress: z.record(z.string(), z.unknown()).optional(),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  error: z.object({ message: z.string(), attempt: z.number() }).passthrough().optional(),
  result: z.unknown().optional(),
  source: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  artifacts: z.array(z.object({ path: z.string(), size: z.number() })).optional(),
}).openapi("Job");

// The pipelines layer's request, with what the server checks stated in the document: a stored
// pipeline's name pattern, param names as identifiers (an undeclared one is a 422 naming the
// nearest declared param), and idempotency keys as long as the header allows.
const JobRequestBody = z.strictObject({
  ...JobRequestSchema.shape,
  pipeline: z.union([
    z.string().regex(STORED_PIPELINE_NAME).describe("a stored or shipped pipeline's name"),
    withKeywords(z.record(z.string(), z.unknown()), {
      ...PIPELINE_FILE_REF,
      description: "an inline pipeline: a pipeline file as JSON",
    }),
  ]),
  params: withKeywords(z.record(z.string(), z.unknown()).optional(), {
    description: "values for the pipeline's declared params (an object param takes a partial " +
      "object)",
    propertyNames: { pattern: IDENTIFIER.source },
  }),
  idempotencyKey: z.string().min(1).max(256).optional(),
}).openapi("JobRequest", { example: { pipeline: "toy-multimodal", params: { epochs: 5 } } });

/** The public view of a job (without its payload). */
export function jobView(s: JobStatus): z.infer<typeof JobView> {
  const payload = s.payload as Partial<JobPayload> | null;
  return {
    id: s.id,
    status: s.status,
    pipeline: typeof payload?.pipeline === "string" ? payload.pipeline : undefined,
    progress: s.progress,
    attempts: s.attempts,
    maxAttempts: s.maxAttempts,
    error: s.error,
    result: s.result,
    source: s.source,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

/** Registers submit, status, list, cancel and delete. */
export function registerJobs(app: App, ctx: AppContext): void {
  const read = requireScope(ctx.config.apiTokens, "read");
  const write = requireScope(ctx.config.apiTokens, "write");

  app.openapi(submitJobRoute(write), submitJob(ctx));
  app.openapi(showJobRoute(read), showJob(ctx));
  app.openapi(listJobsRoute(read), listJobs(ctx));
  app.openapi(cancelJobRoute(write), cancelJob(ctx));
  app.openapi(deleteJobRoute(write), deleteJob(ctx));
}

/** `POST /v1/jobs`: submit a pipeline job. */
function submitJobRoute(auth: MiddlewareHandler) {
  return createRoute({
    method: "post",
    path: "/v1/jobs",
    summary: "Submit a pipeline job",
    middleware: [auth] as const,
    request: {
      headers: z.object({ "idempotency-key": z.string().min(1).max(256).optional() }),
      body: { required: true, content: { "application/json": { schema: JobRequestBody } } },
    },
    responses: {
      202: {
        description: "Queued (or, with a known idempotency key, the job it made)",
        headers: { Location: { schema: { type: "string" }, description: "the job's URL" } },
        content: { "application/json": { schema: Accepted } },
      },
      409: errorResponse("The idempotency key's job was deleted: use a new key"),
      422: errorResponse(
        "The pipeline does not exist, does not compile, or the params do not fit its declared " +
          "params (positioned diagnostics in `issues`), or a bucket dataset it reads " +
          "(`s3://…` root) is in another bucket, outside `datasets/`, empty or has manifest " +
          "problems (named in `error`)",
      ),
      ...ERRORS,
    },
  });
}

/** Prepares the job, queues it (once per idempotency key) and answers 202 with its URL. */
function submitJob(ctx: AppContext): HandlerOf<typeof submitJobRoute> {
  return async (c) => {
    const request = c.req.valid("json");
    const prepared = await prepareJob(
      {
        store: ctx.store,
        builtinDir: ctx.options.builtinDir,
        bucketFingerprint: ctx.bucketFingerprint,
      },
      request,
    );
    if (!prepared.ok) {
      return errorJson(c, prepared.error, prepared.status, prepared.diagnostics);
    }
    const idempotencyKey = c.req.valid("header")["idempotency-key"] ?? request.idempotencyKey;
    const { id, created, deleted } = await ctx.queue.enqueue(prepared.payload, {
      idempotencyKey: idempotencyKey === undefined ? undefined : `api:${idempotencyKey}`,
    });
    if (deleted) {
      return c.json({
        error: `Cannot submit the job: idempotency key "${idempotencyKey}" belonged to job ` +
          `${id}, which was deleted; use a new key`,
      }, 409);
    }
    ctx.metrics.inc(
      "cgml_jobs_enqueued_total",
      "Jobs enqueued.",
      { via: "api" },
      created ? 1 : 0,
    );
    const status = created ? "queued" : (await ctx.queue.get(id))?.status ?? "queued";
    c.header("Location", `/v1/jobs/${id}`);
    return c.json({ id, status }, 202);
  };
}

/** `GET /v1/jobs/{id}`: a job's status, progress and artifacts. */
function showJobRoute(auth: MiddlewareHandler) {
  return createRoute({
    method: "get",
    path: "/v1/jobs/{id}",
    summary: "A job's status, progress and artifacts",
    middleware: [auth] as const,
    request: { params: z.object({ id: JobId }) },
    responses: {
      200: { description: "The job", content: { "application/json": { schema: JobView } } },
      404: errorResponse("No such job (or it was deleted)"),
      ...ERRORS,
    },
  });
}

/** The job's view with its artifacts, or 404. */
function showJob(ctx: AppContext): HandlerOf<typeof showJobRoute> {
  return async (c) => {
    const { id } = c.req.valid("param");
    const status = await ctx.queue.get(id);
    if (!status) return c.json({ error: `Cannot find job ${id}` }, 404);
    const artifacts = await listArtifacts(ctx, id);
    return c.json({ ...jobView(status), artifacts }, 200);
  };
}

/** `GET /v1/jobs`: one page of jobs by status and source. */
function listJobsRoute(auth: MiddlewareHandler) {
  return createRoute({
    method: "get",
    path: "/v1/jobs",
    summary: "List jobs by status and source, in creation order",
    middleware: [auth] as const,
    request: {
      query: z.object({
        status: z.enum(JOB_STATUSES).optional(),
        source: z.string().min(1).max(1024).optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(50),
        after: z.string().regex(JOB_ID_PATTERN).optional(),
      }),
    },
    responses: {
      200: {
        description: "One page of jobs; pass `next` as `after` for the next page",
        content: {
          "application/json": {
            schema: z.object({ jobs: z.array(JobView), next: z.string().optional() }),
          },
        },
      },
      ...ERRORS,
    },
  });
}

/** One page of job views and the `next` cursor. */
function listJobs(ctx: AppContext): HandlerOf<typeof listJobsRoute> {
  return async (c) => {
    const q = c.req.valid("query");
    const page = await ctx.queue.list(q);
    return c.json({ jobs: page.jobs.map(jobView), next: page.next }, 200);
  };
}

/** `POST /v1/jobs/{id}/cancel`: cancel a job. */
function cancelJobRoute(auth: MiddlewareHandler) {
  return createRoute({
    method: "post",
    path: "/v1/jobs/{id}/cancel",
    summary: "Cancel a job: a queued one never runs, a running worker stops at its next " +
      "heartbeat and commits nothing; a finished job is left as it is",
    middleware: [auth] as const,
    request: { params: z.object({ id: JobId }) },
    responses: {
      200: {
        description: "The job after the cancel",
        content: { "application/json": { schema: JobView } },
      },
      404: errorResponse("No such job"),
      ...ERRORS,
    },
  });
}

/** Cancels the job and answers it, or 404. */
function cancelJob(ctx: AppContext): HandlerOf<typeof cancelJobRoute> {
  return async (c) => {
    const { id } = c.req.valid("param");
    const status = await ctx.queue.cancel(id);
    if (!status) return c.json({ error: `Cannot cancel job ${id}: no such job` }, 404);
    return c.json(jobView(status), 200);
  };
}

/** `DELETE /v1/jobs/{id}`: delete a finished job with everything under `jobs/<id>/`. */
function deleteJobRoute(auth: MiddlewareHandler) {
  return createRoute({
    method: "delete",
    path: "/v1/jobs/{id}",
    summary: "Delete a finished job with its artifacts and logs (everything under `jobs/<id>/`)",
    middleware: [auth] as const,
    request: { params: z.object({ id: JobId }) },
    responses: {
      204: { description: "Deleted: the job is gone from every route" },
      404: errorResponse("No such job"),
      409: errorResponse(
        "The job is queued or running (cancel it first), or was cancelled while running and " +
          "its worker may still be stopping (retry after `Retry-After` seconds)",
      ),
      ...ERRORS,
    },
  });
}

/** Removes a finished job (204); 404 when unknown, 409 while it is active or still stopping. */
function deleteJob(ctx: AppContext): HandlerOf<typeof deleteJobRoute> {
  return async (c) => {
    const { id } = c.req.valid("param");
    const outcome = await ctx.queue.remove(id);
    switch (outcome.kind) {
      case "removed":
        ctx.metrics.inc("cgml_jobs_deleted_total", "Jobs deleted.", {});
        return c.body(null, 204);
      case "missing":
        return c.json({ error: `Cannot delete job ${id}: no such job` }, 404);
      case "active":
        return c.json({
          error: `Cannot delete job ${id}: it is ${outcome.status}; cancel it first with ` +
            `POST /v1/jobs/${id}/cancel`,
        }, 409);
      case "stopping": {
        const seconds = Math.ceil(outcome.retryAfterMs / 1000);
        c.header("Retry-After", String(seconds));
        return c.json({
          error: `Cannot delete job ${id} yet: it was cancelled while running and its worker ` +
            `may still be writing; retry in ${seconds} s`,
        }, 409);
      }
    }
  };
}

/** Artifact paths (relative to `jobs/<id>/`) and sizes; at most 1000. */
async function listArtifacts(
  ctx: AppContext,
  id: string,
): Promise<{ path: string; size: number }[]> {
  const prefix = jobPrefix(id);
  const page = await ctx.store.list(prefix, { limit: 1000 });
  return page.items.map((i) => ({ path: i.key.slice(prefix.length), size: i.size }));
}
