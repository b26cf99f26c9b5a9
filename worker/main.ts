/**
 * `deno task worker`: the long-running GPU worker. Claims jobs from the queue on the configured
 * store, runs their pipelines, writes progress into the job status, commits. At start it makes
 * sure the bucket exists and, where the store takes a notification config (MinIO), that
 * `inbox/` object-created events go to the webhook target. SIGTERM / SIGINT: stop claiming, let
 * running stages checkpoint, release the leases, exit. Settings: `loadWorkerConfig` in
 * `infra/config.ts`.
 *
 * @module
 */

import {
  ConfigError,
  loadWorkerConfig,
  MINIO_WEBHOOK_ARN,
  type ObjectStore,
  openConfiguredStore,
  Queue,
} from "../infra/mod.ts";
import { INBOX_PREFIX } from "../pipelines/mod.ts";
import { Gpu } from "./gpu/mod.ts";
import { createPipelineRunner } from "./service/pipeline_runner.ts";
import { WorkerService } from "./service/service.ts";

/** The events that start jobs: plain and multipart uploads (not tagging changes). */
const INBOX_EVENTS = ["s3:ObjectCreated:Put", "s3:ObjectCreated:CompleteMultipartUpload"];

/** Points the bucket's `inbox/` notifications at the webhook target, where the store can. */
async function ensureInboxNotification(store: ObjectStore): Promise<void> {
  if (!store.notifications) return;
  try {
    const changed = await store.notifications.ensureQueue({
      id: "cgml-inbox",
      arn: MINIO_WEBHOOK_ARN,
      prefix: INBOX_PREFIX,
      events: INBOX_EVENTS,
    });
    if (changed) {
      console.error(
        `worker: bucket ${store.notifications.bucket} now notifies ${MINIO_WEBHOOK_ARN} of ` +
          "inbox/ uploads",
      );
    }
  } catch (e) {
    console.error(
      `worker: ${(e as Error).message}; inbox notifications are then whatever the S3 server's ` +
        "own settings say (versitygw: --event-webhook-url), and the inbox scan still starts jobs",
    );
  }
}

async function main(): Promise<number> {
  let config;
  try {
    config = loadWorkerConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
  const store = await openConfiguredStore(config);
  await ensureInboxNotification(store);
  const queue = await Queue.open(store, { leaseMs: config.leaseSeconds * 1000 });
  let device: Promise<Gpu> | undefined;
  const run = createPipelineRunner({
    workDir: config.workDir,
    gpu: () => device ??= Gpu.create({ log: null }),
    log: (text) => Deno.stderr.writeSync(new TextEncoder().encode(text)),
    bucket: config.store.bucket,
  });
  const service = new WorkerService({
    store,
    queue,
    bucket: config.store.bucket,
    run,
    concurrency: config.concurrency,
    scanMs: config.scanSeconds * 1000,
  });
  for (const sig of ["SIGTERM", "SIGINT"] as const) {
    Deno.addSignalListener(sig, () => {
      console.error(`worker: ${sig}, stopping (running jobs are checkpointed and released)`);
      service.stop();
    });
  }
  console.error(`worker ${queue.owner}: ${config.concurrency} slot(s), store ${config.store.url}`);
  await service.start();
  if (device) (await device).destroy();
  return 0;
}

if (import.meta.main) Deno.exit(await main());
