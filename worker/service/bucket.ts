/**
 * Bucket notifications: make sure, idempotently, that the bucket sends `inbox/` object-created
 * events to the webhook target (MinIO's `MINIO_NOTIFY_WEBHOOK_*` target, see `infra/minio`).
 * Other notification entries of the bucket are kept.
 *
 * @module
 */

import {
  type Client,
  CloudFunctionConfig,
  NotificationConfig,
  ObjectCreatedCompleteMultipartUpload,
  ObjectCreatedPut,
  QueueConfig,
  type TargetConfig,
  TopicConfig,
} from "minio";
import { INBOX_PREFIX } from "../../pipelines/mod.ts";

/** Id of the notification entry this service owns. */
export const INBOX_NOTIFICATION_ID = "cgml-inbox";

/** The events that start jobs: plain and multipart uploads (not tagging changes). */
export const INBOX_EVENTS = [ObjectCreatedPut, ObjectCreatedCompleteMultipartUpload];

type NotificationClient = Pick<Client, "getBucketNotification" | "setBucketNotification">;

/**
 * Adds the inbox entry (queue `arn`, prefix `inbox/`) to `bucket`'s notification config unless
 * an equal one is there. Resolves whether it changed anything.
 */
export async function ensureInboxNotification(
  client: NotificationClient,
  bucket: string,
  arn: string,
): Promise<boolean> {
  const current = await client.getBucketNotification(bucket);
  const queues = current.QueueConfiguration ?? [];
  const present = queues.some((q) =>
    q.Queue === arn &&
    INBOX_EVENTS.every((e) => q.Event.includes(e) || q.Event.includes("s3:ObjectCreated:*")) &&
    q.Filter.some((f) => f.Name === "prefix" && f.Value === INBOX_PREFIX)
  );
  if (present) return false;
  const config = new NotificationConfig();
  const keep = (target: TargetConfig, entry: (typeof queues)[number] | undefined) => {
    if (!entry) return;
    target.setId(entry.Id);
    for (const e of entry.Event) target.addEvent(e as typeof ObjectCreatedPut);
    for (const f of entry.Filter) {
      if (f.Name === "prefix") target.addFilterPrefix(f.Value);
      if (f.Name === "suffix") target.addFilterSuffix(f.Value);
    }
    config.add(target);
  };
  for (const q of queues) if (q.Id !== INBOX_NOTIFICATION_ID) keep(new QueueConfig(q.Queue), q);
  for (const t of current.TopicConfiguration ?? []) {
    keep(new TopicConfig(t.Topic), { ...t, Queue: t.Topic });
  }
  for (const f of current.CloudFunctionConfiguration ?? []) {
    keep(new CloudFunctionConfig(f.CloudFunction), { ...f, Queue: f.CloudFunction });
  }
  const inbox = new QueueConfig(arn);
  inbox.setId(INBOX_NOTIFICATION_ID);
  for (const e of INBOX_EVENTS) inbox.addEvent(e);
  inbox.addFilterPrefix(INBOX_PREFIX);
  config.add(inbox);
  await client.setBucketNotification(bucket, config);
  return true;
}
