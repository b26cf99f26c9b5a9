/**
 * `deno task worker`: the long-running GPU worker. Claims jobs from the queue on the configured
 * store, runs their pipelines, writes progress into the job status, commits. At start it makes
 * sure the bucket exists and (MinIO) that `inbox/` object-created events go to the webhook
 * target. SIGTERM / SIGINT: stop claiming, let running stages checkpoint, release the leases,
 * exit.
 *
 * Besides the `infra/config.ts` variables:
 * - `CGML_WORKER_CONCURRENCY`: jobs at once, sharing the GPU (default 1);
 * - `CGML_INBOX_SCAN_SECONDS`: period of the inbox reconcile scan (default 30; 0 disables);
 * - `CGML_LEASE_SECONDS`: lease of a claimed job; a dead worker's job is taken over after it
 *   (default 30);
 * - `CGML_WORK_DIR`: local folder for stage checkpoints (default `.cache/worker`).
 *
 * @module
 */

import {
  ConfigError,
  loadConfig,
  loadGpuConfig,
  MinioStore,
  openConfiguredStore,
  Queue,
  WEBHOOK_ARN,
} from "../infra/mod.ts";
import { Gpu, GpuError } from "./gpu/mod.ts";
import { ensureInboxNotification } from "./service/bucket.ts";
import { createPipelineRunner } from "./service/pipeline_runner.ts";
import { WorkerService } from "./service/service.ts";

function intVar(name: string, fallback: number, min: number): number {
  const raw = Deno.env.get(name);
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new ConfigError(
      `Cannot start: invalid configuration\n  ${name}: must be an integer >= ${min}`,
    );
  }
  return n;
}

async function main(): Promise<number> {
  let config, gpuConfig, concurrency, scanSeconds, leaseSeconds;
  try {
    config = loadConfig();
    gpuConfig = loadGpuConfig();
    concurrency = intVar("CGML_WORKER_CONCURRENCY", 1, 1);
    scanSeconds = intVar("CGML_INBOX_SCAN_SECONDS", 30, 0);
    leaseSeconds = intVar("CGML_LEASE_SECONDS", 30, 1);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
  let gpu: Gpu;
  try {
    gpu = await Gpu.create(gpuConfig); // logs the adapter, whether it is a fallback, the tuning
  } catch (e) {
    if (e instanceof GpuError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
  const workDir = Deno.env.get("CGML_WORK_DIR") || `${Deno.cwd()}/.cache/worker`;
  const store = await openConfiguredStore(config);
  if (store instanceof MinioStore) {
    try {
      if (await ensureInboxNotification(store.client, config.store.bucket, WEBHOOK_ARN)) {
        console.error(
          `worker: bucket ${config.store.bucket} now notifies ${WEBHOOK_ARN} of inbox/ uploads`,
        );
      }
    } catch (e) {
      console.error(
        `worker: cannot set the inbox notification (${(e as Error).message}); ` +
          "the inbox scan still starts jobs",
      );
    }
  }
  const queue = await Queue.open(store, { leaseMs: leaseSeconds * 1000 });
  const run = createPipelineRunner({
    workDir,
    gpu: () => Promise.resolve(gpu),
    log: (text) => Deno.stderr.writeSync(new TextEncoder().encode(text)),
  });
  const service = new WorkerService({
    store,
    queue,
    bucket: config.store.bucket,
    run,
    concurrency,
    scanMs: scanSeconds * 1000,
  });
  for (const sig of ["SIGTERM", "SIGINT"] as const) {
    Deno.addSignalListener(sig, () => {
      console.error(`worker: ${sig}, stopping (running jobs are checkpointed and released)`);
      service.stop();
    });
  }
  console.error(`worker ${queue.owner}: ${concurrency} slot(s), store ${config.store.url}`);
  await service.start();
  gpu.destroy();
  return 0;
}

if (import.meta.main) Deno.exit(await main());
