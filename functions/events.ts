/**
 * The MinIO bucket-notification webhook: `POST /v1/events/minio`, authenticated by its own
 * bearer token. Each object-created record of an `inbox/*.yaml` key in our bucket is submitted
 * (keys arrive `url.QueryEscape`d and are decoded); duplicates of one bucket+key+ETag map to
 * one job. Other records are acknowledged and ignored, so MinIO does not redeliver them.
 *
 * @module
 */

import { createRoute, z } from "@hono/zod-openapi";
import { requireWebhookToken } from "./auth.ts";
import { type App, type AppContext, ERRORS } from "./context.ts";
import { type InboxOutcome, submitInboxObject } from "../pipelines/mod.ts";

const EventRecord = z.looseObject({
  eventName: z.string(),
  s3: z.looseObject({
    bucket: z.looseObject({ name: z.string() }),
    object: z.looseObject({ key: z.string(), eTag: z.string().optional() }),
  }),
});

const Notification = z.looseObject({
  EventName: z.string().optional(),
  Key: z.string().optional(),
  Records: z.array(EventRecord).max(1000),
}).openapi("MinioNotification");

/** Decodes a key as MinIO's `url.QueryEscape` wrote it (`+` is a space). */
export function decodeEventKey(key: string): string | null {
  try {
    return decodeURIComponent(key.replace(/\+/g, " "));
  } catch {
    return null;
  }
}

/** Registers the webhook route. */
export function registerEvents(app: App, ctx: AppContext): void {
  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/events/minio",
      summary: "MinIO webhook target (bearer CGML_WEBHOOK_TOKEN)",
      middleware: [requireWebhookToken(ctx.config.webhookToken)] as const,
      request: {
        body: { required: true, content: { "application/json": { schema: Notification } } },
      },
      responses: {
        200: { description: "Handled; one outcome per record" },
        ...ERRORS,
      },
    }),
    async (c) => {
      const { Records } = c.req.valid("json");
      const results: (InboxOutcome & { key: string })[] = [];
      for (const record of Records) {
        const key = decodeEventKey(record.s3.object.key);
        if (key === null) {
          return c.json({ error: "Cannot read the event: the object key is not URL-encoded" }, 400);
        }
        let outcome: InboxOutcome;
        if (!record.eventName.startsWith("s3:ObjectCreated:")) {
          outcome = { kind: "ignored", reason: `event ${record.eventName}` };
        } else if (record.s3.bucket.name !== ctx.config.store.bucket) {
          outcome = {
            kind: "ignored",
            reason: `bucket ${record.s3.bucket.name} is not served here`,
          };
        } else {
          outcome = await submitInboxObject(
            {
              store: ctx.store,
              queue: ctx.queue,
              bucket: ctx.config.store.bucket,
              builtinDir: ctx.options.builtinDir,
            },
            key,
            record.s3.object.eTag?.replace(/^"|"$/g, "") || undefined,
          );
        }
        ctx.metrics.inc("cgml_webhook_records_total", "Webhook records by outcome.", {
          outcome: outcome.kind,
        });
        if (outcome.kind === "enqueued" && outcome.created) {
          ctx.metrics.inc("cgml_jobs_enqueued_total", "Jobs enqueued.", { via: "webhook" });
        }
        results.push({ key, ...outcome });
      }
      return c.json({ results }, 200);
    },
  );
}
