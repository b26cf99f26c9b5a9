/**
 * `deno task bench http [--requests N] [--clients C] [--store fs|s3|config]…`: enqueue
 * throughput and p50/p99 latency of `POST /v1/jobs` with C concurrent clients (default 16)
 * against the functions served on loopback, and, in the same run, the same store client's raw
 * small-PUT throughput with the same concurrency as the peer (`ratio_to_raw_put`). Stores:
 * `fs` a temporary filesystem store; `s3` a versitygw server started for the run (the real S3
 * server CI tests against); `config` the store `CGML_STORE` / `CGML_BUCKET` /
 * `CGML_S3_ACCESS_KEY` / `CGML_S3_SECRET_KEY` configure (a MinIO, say). Default: `fs` and `s3`.
 * Each enqueue of a named pipeline costs three store round trips (a GET of a stored pipeline of
 * that name, the pending marker PUT and the conditional job-record PUT); `store_ops_per_enqueue`
 * reports the count measured in the run.
 * @module
 */
import {
  FsStore,
  loadStoreConfig,
  type ObjectStore,
  openConfiguredStore,
  Queue,
} from "../infra/mod.ts";
import { ensureVersitygw, startS3Server } from "../infra/s3/mod.ts";
import { createApp } from "../functions/app.ts";
import { type BenchSuite, emit, round } from "./lib.ts";

function flags(args: string[], name: string): string[] {
  return args.flatMap((a, i) => (a === name && args[i + 1] !== undefined ? [args[i + 1]] : []));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** Runs `total` calls of `op` with `clients` concurrent callers; per-call latencies in ms. */
async function drive(total: number, clients: number, op: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < total) {
      const i = next++;
      const t = performance.now();
      await op(i);
      latencies.push(performance.now() - t);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    per_s: round(total / seconds),
    p50_ms: round(percentile(latencies, 0.5)),
    p99_ms: round(percentile(latencies, 0.99)),
  };
}

interface BenchStore {
  store: ObjectStore;
  label: string;
  close(): Promise<void>;
}

async function openStore(kind: string): Promise<BenchStore> {
  if (kind === "s3") {
    const server = await startS3Server({ binary: await ensureVersitygw() });
    const store = await openConfiguredStore({
      url: server.url,
      kind: "minio",
      bucket: "bench",
      accessKey: server.accessKey,
      secretKey: server.secretKey,
    });
    return { store, label: "s3 (versitygw, real server)", close: () => server.stop() };
  }
  if (kind === "config") {
    const config = loadStoreConfig();
    return {
      store: await openConfiguredStore(config),
      label: `configured ${config.url}`,
      close: () => Promise.resolve(),
    };
  }
  if (kind !== "fs") throw new Error(`Cannot run the http bench: unknown --store ${kind}`);
  const dir = await Deno.makeTempDir({ prefix: "cgml-bench-http-" });
  return {
    store: await FsStore.open(dir),
    label: "fs",
    close: () => Deno.remove(dir, { recursive: true }),
  };
}

/** Wraps `store` to count its calls (the peer and the enqueues go through the same client). */
function counting(store: ObjectStore): { store: ObjectStore; calls: () => number } {
  let calls = 0;
  const wrapped = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls++;
        return value.apply(target, args);
      };
    },
  });
  return { store: wrapped, calls: () => calls };
}

async function benchStore(kind: string, total: number, clients: number): Promise<void> {
  const opened = await openStore(kind);
  const { store, calls } = counting(opened.store);
  const token = "bench-token-0123456789";
  const queue = await Queue.open(store);
  const app = createApp({
    store,
    queue,
    config: { apiTokens: [{ token, scope: "write" }], store: { bucket: "cgml" } },
  });
  const controller = new AbortController();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    signal: controller.signal,
    onListen() {},
  }, app.fetch);
  const url = `http://127.0.0.1:${server.addr.port}/v1/jobs`;
  const body = JSON.stringify({ pipeline: "toy-multimodal", params: { epochs: 1 } });
  const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
  const post = async () => {
    const res = await fetch(url, { method: "POST", headers, body });
    await res.text();
    if (res.status !== 202) throw new Error(`Cannot enqueue: HTTP ${res.status}`);
  };
  try {
    await drive(32, clients, post);
    const record = new TextEncoder().encode(JSON.stringify({ id: "x".repeat(26), payload: body }));
    const raw = await drive(
      total,
      clients,
      (i) => store.put(`bench/raw/${i}`, record).then(() => {}),
    );
    const before = calls();
    const enqueue = await drive(total, clients, post);
    const common = { suite: "http", store: opened.label, clients, requests: total };
    emit({ ...common, case: "raw_put", ...raw });
    emit({
      ...common,
      case: "enqueue",
      ...enqueue,
      ratio_to_raw_put: round(enqueue.per_s / raw.per_s),
      store_ops_per_enqueue: round((calls() - before) / total),
    });
  } finally {
    controller.abort();
    await server.finished;
    await opened.close();
  }
}

const suite: BenchSuite = {
  description:
    "enqueue throughput and p50/p99 over HTTP (16 clients) vs the same client's raw small PUTs " +
    "(--store fs|s3|config)",
  async run(args) {
    const total = Number(flags(args, "--requests")[0] ?? 2000);
    const clients = Number(flags(args, "--clients")[0] ?? 16);
    const kinds = flags(args, "--store");
    for (const kind of kinds.length > 0 ? kinds : ["fs", "s3"]) {
      await benchStore(kind, total, clients);
    }
  },
};

export default suite;
