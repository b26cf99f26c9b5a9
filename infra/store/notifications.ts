/**
 * Bucket notifications of S3 stores, as a capability of the store
 * (`ObjectStore.notifications`, `null` on the filesystem store): make sure, idempotently, that
 * the bucket sends a prefix's object-created events to a queue target (MinIO's
 * `MINIO_NOTIFY_WEBHOOK_*_CGML` webhook, ARN {@link MINIO_WEBHOOK_ARN}). Other notification
 * entries of the bucket are kept. Servers that take notification targets only from their own
 * configuration (versitygw: `--event-webhook-url`) refuse the call; callers log that and rely
 * on the inbox scan plus the server's own settings.
 *
 * @module
 */

import {
  type Client,
  CloudFunctionConfig,
  NotificationConfig,
  QueueConfig,
  type TargetConfig,
  TopicConfig,
} from "minio";
import { StoreError } from "./errors.ts";

/** ID of the webhook target in the MinIO deploy files and `MINIO_NOTIFY_WEBHOOK_*_CGML`. */
export const MINIO_WEBHOOK_TARGET_ID = "CGML";

/** ARN of that target, as a bucket notification entry names it. */
export const MINIO_WEBHOOK_ARN = `arn:minio:sqs::${MINIO_WEBHOOK_TARGET_ID}:webhook`;

/** One queue entry of a bucket's notification config. */
export interface QueueNotification {
  /** Entry id, owned by the caller (other ids are kept as they are). */
  id: string;
  /** Target ARN. */
  arn: string;
  /** Key prefix the entry filters on. */
  prefix: string;
  /** Event names, e.g. `s3:ObjectCreated:Put`. */
  events: string[];
}

/** The notification capability of a store. */
export interface BucketNotifications {
  /** The bucket the settings belong to. */
  readonly bucket: string;
  /** Adds `entry` unless an equivalent one is there; resolves whether anything changed. */
  ensureQueue(entry: QueueNotification): Promise<boolean>;
}

/** The two calls of a minio-js client this needs. */
export type NotificationClient = Pick<Client, "getBucketNotification" | "setBucketNotification">;

/**
 * {@link BucketNotifications} over a minio-js client; failures become `StoreError`s that name
 * the bucket and the server's error code (e.g. `NotImplemented` from versitygw).
 */
export function clientNotifications(
  client: NotificationClient,
  bucket: string,
): BucketNotifications {
  return {
    bucket,
    async ensureQueue(entry) {
      try {
        return await ensureQueueNotification(client, bucket, entry);
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        throw new StoreError(
          `Cannot set the notification config of bucket ${bucket}: ` +
            `${typeof code === "string" ? `${code}: ` : ""}${(e as Error).message}`,
        );
      }
    },
  };
}

/**
 * Adds the queue entry to `bucket`'s notification config unless an equal one (same target,
 * prefix, and every event or `s3:ObjectCreated:*`) is there. Resolves whether it changed anything.
 */
export async function ensureQueueNotification(
  client: NotificationClient,
  bucket: string,
  entry: QueueNotification,
): Promise<boolean> {
  const current = await client.getBucketNotification(bucket);
  const queues = current.QueueConfiguration ?? [];
  const present = queues.some((q) =>
    q.Queue === entry.arn &&
    entry.events.every((e) => q.Event.includes(e) || q.Event.includes("s3:ObjectCreated:*")) &&
    q.Filter.some((f) => f.Name === "prefix" && f.Value === entry.prefix)
  );
  if (present) return false;
  const config = new NotificationConfig();
  type Event = Parameters<TargetConfig["addEvent"]>[0];
  const keep = (target: TargetConfig, kept: (typeof queues)[number]) => {
    target.setId(kept.Id);
    for (const e of kept.Event) target.addEvent(e as Event);
    for (const f of kept.Filter) {
      if (f.Name === "prefix") target.addFilterPrefix(f.Value);
      if (f.Name === "suffix") target.addFilterSuffix(f.Value);
    }
    config.add(target);
  };
  for (const q of queues) if (q.Id !== entry.id) keep(new QueueConfig(q.Queue), q);
  for (const t of current.TopicConfiguration ?? []) {
    keep(new TopicConfig(t.Topic), { ...t, Queue: t.Topic });
  }
  for (const f of current.CloudFunctionConfiguration ?? []) {
    keep(new CloudFunctionConfig(f.CloudFunction), { ...f, Queue: f.CloudFunction });
  }
  const added = new QueueConfig(entry.arn);
  added.setId(entry.id);
  for (const e of entry.events) added.addEvent(e as Event);
  added.addFilterPrefix(entry.prefix);
  config.add(added);
  await client.setBucketNotification(bucket, config);
  return true;
}
