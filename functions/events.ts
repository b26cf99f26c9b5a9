/**
 * The bucket-notification webhook: `POST /v1/events/minio`, for MinIO's webhook target and for
 * versitygw's `--event-webhook-url` (both send S3-shaped `Records`). The token
 * (`CGML_WEBHOOK_TOKEN`) may come as a bearer header (MinIO), as HTTP Basic credentials or as a
 * `token` query parameter (versitygw, which sends no headers of its own); see `auth.ts`.
 *
 * Keys: MinIO (`eventSource: "minio:s3"`) sends `url.QueryEscape`d keys (`/` → `%2F`, space →
 * `+`); versitygw sends them raw. Each record's key is decoded by its source, so `+`, `%` and
 * spaces in keys are never misread. Every record is checked before anything is enqueued: a key
 * that is not a valid store key (`..`, absolute, NUL, too long) or an `inbox/` key of another
 * bucket answers 400 and enqueues nothing. Records under the service's own prefixes other than
 * `inbox/` (versitygw reports every write, queue writes included), records of other buckets and
 * non-creation events are acknowledged and ignored without touching the store. Every other
 * object-created record goes to `submitObjectEvent`: an `inbox/*.yaml` job request, or an object
 * that a stored pipeline's trigger watches (its marker); each starts its job once per
 * bucket+key+ETag. A server's test event (`"Event": "s3:TestEvent"`) is acknowledged.
 *
 * @module
 */

import { createRoute, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { InvalidKeyError, validateKey } from "../infra/mod.ts";
import {
  INBOX_PREFIX,
  isReservedKey,
  type ObjectEventOutcome,
  PIPELINES_PREFIX,
  submitObjectEvent,
} from "../pipelines/mod.ts";
import { requireWebhookToken } from "./auth.ts";
import { type App, type AppContext, ERRORS, type HandlerOf } from "./context.ts";

const EventRecord = z.looseObject({
  eventName: z.string(),
  eventSource: z.string().optional(),
  s3: z.looseObject({
    bucket: z.looseObject({ name: z.string() }),
    object: z.looseObject({ key: z.string().max(4096), eTag: z.string().optional() }),
  }),
});

type EventRecord = z.infer<typeof EventRecord>;

const Notification = z.looseObject({
  EventName: z.string().optional(),
  Event: z.string().optional(),
  Key: z.string().optional(),
  Records: z.array(EventRecord).max(1000).optional(),
}).refine(
  (n) => n.Records !== undefined || n.Event === "s3:TestEvent",
  { message: "Records is required", path: ["Records"] },
).openapi("BucketNotification");

/** Decodes a key as MinIO's `url.QueryEscape` wrote it (`+` is a space); `null` if malformed. */
export function decodeQueryEscaped(key: string): string | null {
  try {
    return decodeURIComponent(key.replace(/\+/g, " "));
  } catch {
    return null;
  }
}

/** The object key a record names: MinIO escapes keys, other sources (versitygw) send them raw. */
export function eventKey(record: Pick<EventRecord, "eventSource" | "s3">): string | null {
  const key = record.s3.object.key;
  return record.eventSource === "minio:s3" ? decodeQueryEscaped(key) : key;
}

/** A checked record: its decoded key, or the reason the whole request is refused. */
function checkRecord(record: EventRecord, bucket: string): { key: string } | { error: string } {
  const key = eventKey(record);
  if (key === null) {
    return { error: "Cannot read the event: the object key is not URL-encoded as MinIO sends it" };
  }
  try {
    validateKey(key);
  } catch (e) {
    if (e instanceof InvalidKeyError) {
      return { error: `Cannot accept the event: ${e.message}` };
    }
    throw e;
  }
  if (key.startsWith(INBOX_PREFIX) && record.s3.bucket.name !== bucket) {
    return {
      error: `Cannot accept the event: bucket ${
        JSON.stringify(record.s3.bucket.name)
      } is not served here (this service uses ${JSON.stringify(bucket)})`,
    };
  }
  return { key };
}

/** Reserved keys the webhook still routes: job requests, and stored pipelines (their triggers). */
function routed(key: string): boolean {
  return key.startsWith(INBOX_PREFIX) || key.startsWith(PIPELINES_PREFIX);
}

/** How many jobs an outcome created. */
function createdJobs(outcome: ObjectEventOutcome): number {
  if (outcome.kind === "enqueued") return outcome.created ? 1 : 0;
  if (outcome.kind !== "triggered") return 0;
  return outcome.jobs.filter((job) => job.kind === "enqueued" && job.created).length;
}

/** Registers the webhook route. */
export function registerEvents(app: App, ctx: AppContext): void {
  app.openapi(
    receiveNotificationRoute(requireWebhookToken(ctx.config.webhookToken)),
    receiveNotification(ctx),
  );
}

/** `POST /v1/events/minio`: the bucket notification webhook. */
function receiveNotificationRoute(auth: MiddlewareHandler) {
  return createRoute({
    method: "post",
    path: "/v1/events/minio",
    summary: "Bucket notification webhook (MinIO, versitygw); token CGML_WEBHOOK_TOKEN as " +
      "bearer, Basic credentials or ?token=",
    middleware: [auth] as const,
    request: {
      body: { required: true, content: { "application/json": { schema: Notification } } },
    },
    responses: {
      200: { description: "Handled; one outcome per record" },
      ...ERRORS,
    },
  });
}

/**
 * Checks every record, then submits each created object of the service's bucket; one outcome per
 * record.
 */
function receiveNotification(
  ctx: AppContext,
): HandlerOf<typeof receiveNotificationRoute> {
  return async (c) => {
    const records = c.req.valid("json").Records ?? [];
    const bucket = ctx.config.store.bucket;
    const keys: string[] = [];
    for (const record of records) {
      const checked = checkRecord(record, bucket);
      if ("error" in checked) {
        ctx.metrics.inc("cgml_webhook_records_total", "Webhook records by outcome.", {
          outcome: "refused",
        });
        return c.json({ error: checked.error }, 400);
      }
      keys.push(checked.key);
    }
    const results: (ObjectEventOutcome & { key: string })[] = [];
    for (const [i, record] of records.entries()) {
      const key = keys[i];
      let outcome: ObjectEventOutcome;
      if (record.s3.bucket.name !== bucket) {
        outcome = { kind: "ignored", reason: "another bucket" };
      } else if (isReservedKey(key) && !routed(key)) {
        outcome = { kind: "ignored", reason: "the service's own prefix" };
      } else if (!record.eventName.startsWith("s3:ObjectCreated:")) {
        outcome = { kind: "ignored", reason: `event ${record.eventName}` };
      } else {
        outcome = await submitObjectEvent(
          {
            store: ctx.store,
            queue: ctx.queue,
            bucket,
            builtinDir: ctx.options.builtinDir,
            triggers: ctx.triggers,
            bucketFingerprint: ctx.bucketFingerprint,
          },
          key,
          record.s3.object.eTag || undefined,
        );
      }
      ctx.metrics.inc("cgml_webhook_records_total", "Webhook records by outcome.", {
        outcome: outcome.kind,
      });
      for (let n = createdJobs(outcome); n > 0; n--) {
        ctx.metrics.inc("cgml_jobs_enqueued_total", "Jobs enqueued.", { via: "webhook" });
      }
      results.push({ key, ...outcome });
    }
    return c.json({ results }, 200);
  };
}
