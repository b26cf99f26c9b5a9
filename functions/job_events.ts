/**
 * Following a job: `GET /v1/jobs/{id}/events` is a server-sent event stream with a `status`
 * event (data: the job) on every change and an `end` event (data: `{"status": …}`) once the job
 * is final — or `{"status": "deleted"}` when it is deleted while followed. `Last-Event-ID` skips
 * the state the client has already seen; a comment line keeps idle connections open.
 *
 * @module
 */

import { createRoute, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { streamSSE } from "hono/streaming";
import { isFinal, type JobStatus } from "../infra/mod.ts";
import { requireScope } from "./auth.ts";
import {
  type App,
  type AppContext,
  errorResponse,
  ERRORS,
  type HandlerOf,
  withKeywords,
} from "./context.ts";
import { JobId, jobView } from "./jobs.ts";

/** An event's `data` line: JSON described by `schema` (validated by clients, not here). */
function jsonData(schema: Record<string, unknown>) {
  return withKeywords(z.string(), { contentMediaType: "application/json", contentSchema: schema });
}

/** One event of the stream (OpenAPI 3.1: the schema of an event stream describes each event). */
const Event = z.union([
  z.object({
    event: z.literal("status"),
    id: z.string(),
    data: jsonData({ $ref: "#/components/schemas/Job" }),
  }),
  z.object({
    event: z.literal("end"),
    data: jsonData({
      type: "object",
      required: ["status"],
      properties: { status: { enum: ["succeeded", "failed", "cancelled", "deleted"] } },
    }),
  }),
]).openapi("JobEvent");

/** Registers the SSE route. */
export function registerJobEvents(app: App, ctx: AppContext): void {
  app.openapi(followJobRoute(requireScope(ctx.config.apiTokens, "read")), followJob(ctx));
}

/** `GET /v1/jobs/{id}/events`: a job's SSE stream. */
function followJobRoute(auth: MiddlewareHandler) {
  return createRoute({
    method: "get",
    path: "/v1/jobs/{id}/events",
    summary: "Follow a job: SSE `status` events on every change, `end` when final or deleted",
    middleware: [auth] as const,
    request: { params: z.object({ id: JobId }) },
    responses: {
      200: {
        description: "`status` events (data: the job as JSON), then one `end` event",
        content: { "text/event-stream": { schema: Event } },
      },
      404: errorResponse("No such job"),
      ...ERRORS,
    },
  });
}

/** Streams `status` events on every change and one `end` event; 404 when unknown. */
function followJob(ctx: AppContext): HandlerOf<typeof followJobRoute> {
  return async (c) => {
    const { id } = c.req.valid("param");
    const first = await ctx.queue.get(id);
    if (!first) return c.json({ error: `Cannot follow job ${id}: no such job` }, 404);
    const lastEventId = c.req.header("last-event-id");
    return streamSSE(c, async (stream) => {
      let sent = lastEventId ?? "";
      let current: JobStatus | null = first;
      let lastWrite = Date.now();
      while (!stream.aborted) {
        if (current === null) {
          await stream.writeSSE({ event: "end", data: JSON.stringify({ status: "deleted" }) });
          return;
        }
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
  };
}
