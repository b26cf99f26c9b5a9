/**
 * Job routes: submit, status, list, progress over SSE, cancel, artifacts.
 *
 * @module
 */

import { createRoute, z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { isFinal, JOB_ID_PATTERN, JOB_STATUSES, jobPrefix, type JobStatus } from "../infra/mod.ts";
import { requireScope } from "./auth.ts";
import { type App, type AppContext, ERRORS, ErrorSchema } from "./context.ts";
import { confineKey } from "./keys.ts";
import { type JobPayload, JobRequestSchema, prepareJob } from "../pipelines/mod.ts";

const JobId = z.string().regex(JOB_ID_PATTERN).openapi({ param: { name: "id", in: "path" } });

const Accepted = z.object({ id: z.string(), status: z.enum(JOB_STATUSES) }).openapi("Accepted");

const JobView = z.object({
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

// Rebuilt from the shape so the schema carries `.openapi` whatever the module load order.
const JobRequestBody = z.strictObject(JobRequestSchema.shape).openapi("JobRequest", {
  example: { pipeline: "toy-multimodal", params: { epochs: 5 } },
});

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

/** Registers the job routes. */
export function registerJobs(app: App, ctx: AppContext): void {
  const read = requireScope(ctx.config.apiTokens, "read");
  const write = requireScope(ctx.config.apiTokens, "write");

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/jobs",
      summary: "Submit a pipeline job",
      middleware: [write] as const,
      request: {
        headers: z.object({ "idempotency-key": z.string().min(1).max(256).optional() }),
        body: { required: true, content: { "application/json": { schema: JobRequestBody } } },
      },
      responses: {
        202: { description: "Queued", content: { "application/json": { schema: Accepted } } },
        422: {
          description: "Unknown or invalid pipeline or params",
          content: { "application/json": { schema: ErrorSchema } },
        },
        ...ERRORS,
      },
    }),
    async (c) => {
      const request = c.req.valid("json");
      const prepared = await prepareJob(
        { store: ctx.store, builtinDir: ctx.options.builtinDir },
        request,
      );
      if (!prepared.ok) {
        return c.json({ error: prepared.error, issues: prepared.diagnostics }, prepared.status);
      }
      const idempotencyKey = c.req.valid("header")["idempotency-key"] ?? request.idempotencyKey;
      const { id, created } = await ctx.queue.enqueue(prepared.payload, {
        idempotencyKey: idempotencyKey === undefined ? undefined : `api:${idempotencyKey}`,
      });
      ctx.metrics.inc(
        "cgml_jobs_enqueued_total",
        "Jobs enqueued.",
        { via: "api" },
        created ? 1 : 0,
      );
      const status = created ? "queued" : (await ctx.queue.get(id))?.status ?? "queued";
      c.header("Location", `/v1/jobs/${id}`);
      return c.json({ id, status }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/jobs/{id}",
      summary: "A job's status, progress and artifacts",
      middleware: [read] as const,
      request: { params: z.object({ id: JobId }) },
      responses: {
        200: { description: "The job", content: { "application/json": { schema: JobView } } },
        404: { description: "No such job" },
        ...ERRORS,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const status = await ctx.queue.get(id);
      if (!status) return c.json({ error: `Cannot find job ${id}` }, 404);
      const artifacts = await listArtifacts(ctx, id);
      return c.json({ ...jobView(status), artifacts }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/jobs",
      summary: "List jobs by status and source, in creation order",
      middleware: [read] as const,
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
    }),
    async (c) => {
      const q = c.req.valid("query");
      const page = await ctx.queue.list(q);
      return c.json({ jobs: page.jobs.map(jobView), next: page.next }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/v1/jobs/{id}",
      summary: "Cancel a job (a running worker stops at its next heartbeat)",
      middleware: [write] as const,
      request: { params: z.object({ id: JobId }) },
      responses: {
        200: {
          description: "The job after cancel",
          content: { "application/json": { schema: JobView } },
        },
        404: { description: "No such job" },
        ...ERRORS,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const status = await ctx.queue.cancel(id);
      if (!status) return c.json({ error: `Cannot cancel job ${id}: no such job` }, 404);
      return c.json(jobView(status), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/jobs/{id}/events",
      summary: "Follow a job: SSE `status` events on every change, `end` when final",
      middleware: [read] as const,
      request: { params: z.object({ id: JobId }) },
      responses: {
        200: { description: "text/event-stream of `status` events (data: the job as JSON)" },
        404: { description: "No such job" },
        ...ERRORS,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const first = await ctx.queue.get(id);
      if (!first) return c.json({ error: `Cannot follow job ${id}: no such job` }, 404);
      const lastEventId = c.req.header("last-event-id");
      return streamSSE(c, async (stream) => {
        let sent = lastEventId ?? "";
        let current: JobStatus | null = first;
        let lastWrite = Date.now();
        while (!stream.aborted && current) {
          const eventId = `${current.updatedAt}/${current.status}`;
          if (eventId !== sent) {
            await stream.writeSSE({
              event: "status",
              id: eventId,
              data: JSON.stringify(jobView(current)),
            });
            sent = eventId;
            lastWrite = Date.now();
          }
          if (isFinal(current.status)) {
            await stream.writeSSE({
              event: "end",
              data: JSON.stringify({ status: current.status }),
            });
            return;
          }
          if (Date.now() - lastWrite >= ctx.options.sseHeartbeatMs) {
            await stream.write(": keep-alive\n\n");
            lastWrite = Date.now();
          }
          await stream.sleep(ctx.options.ssePollMs);
          current = await ctx.queue.get(id);
        }
      });
    },
  );

  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/v1/jobs/{id}/artifacts/{path}",
    summary: "Download an artifact: a redirect to a presigned URL, or the bytes when the store " +
      "cannot presign. `path` may contain slashes.",
    request: { params: z.object({ id: JobId, path: z.string() }) },
    responses: {
      200: { description: "The artifact's bytes (filesystem store)" },
      302: { description: "Redirect to a presigned URL (MinIO)" },
      404: { description: "No such artifact" },
      ...ERRORS,
    },
  });
  app.get("/v1/jobs/:id/artifacts/*", read, async (c) => {
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

/** Artifact paths (relative to `jobs/<id>/`) and sizes; at most 1000. */
async function listArtifacts(
  ctx: AppContext,
  id: string,
): Promise<{ path: string; size: number }[]> {
  const prefix = jobPrefix(id);
  const page = await ctx.store.list(prefix, { limit: 1000 });
  return page.items.map((i) => ({ path: i.key.slice(prefix.length), size: i.size }));
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
