import { assertEquals } from "../../testing/assert.ts";
import type { NotificationConfig } from "minio";
import { ensureQueueNotification, MINIO_WEBHOOK_ARN } from "./notifications.ts";

const INBOX = {
  id: "cgml-inbox",
  arn: MINIO_WEBHOOK_ARN,
  prefix: "inbox/",
  events: ["s3:ObjectCreated:Put", "s3:ObjectCreated:CompleteMultipartUpload"],
};

type Entry = { Id: string; Event: string[]; Filter: { Name: string; Value: string }[] };

/** A client double that keeps the notification config as MinIO would parse it back. */
function fakeClient(queues: (Entry & { Queue: string })[]) {
  const state = {
    QueueConfiguration: queues,
    TopicConfiguration: [],
    CloudFunctionConfiguration: [],
  };
  let sets = 0;
  return {
    get sets() {
      return sets;
    },
    getBucketNotification: () => Promise.resolve(structuredClone(state)),
    setBucketNotification: (_bucket: string, config: NotificationConfig) => {
      sets++;
      const raw = config as unknown as {
        QueueConfiguration?: {
          Id: string;
          Queue: string;
          Event: string[];
          Filter?: { S3Key: { FilterRule: { Name: string; Value: string }[] } };
        }[];
      };
      state.QueueConfiguration = (raw.QueueConfiguration ?? []).map((q) => ({
        Id: q.Id,
        Queue: q.Queue,
        Event: q.Event,
        Filter: q.Filter?.S3Key.FilterRule ?? [],
      }));
      return Promise.resolve();
    },
  };
}

Deno.test("a queue notification is added once and other entries are kept", async () => {
  const other = {
    Id: "other",
    Queue: "arn:minio:sqs::X:webhook",
    Event: ["s3:ObjectRemoved:*"],
    Filter: [{ Name: "prefix", Value: "logs/" }],
  };
  const client = fakeClient([other]);
  assertEquals(await ensureQueueNotification(client, "cgml", INBOX), true);
  assertEquals(await ensureQueueNotification(client, "cgml", INBOX), false);
  assertEquals(client.sets, 1);
  const cfg = await client.getBucketNotification();
  assertEquals(cfg.QueueConfiguration.map((q) => q.Id), ["other", INBOX.id]);
  assertEquals(cfg.QueueConfiguration[0].Filter, other.Filter);
  const inbox = cfg.QueueConfiguration[1];
  assertEquals([inbox.Queue, inbox.Filter], [MINIO_WEBHOOK_ARN, [{
    Name: "prefix",
    Value: "inbox/",
  }]]);
});
