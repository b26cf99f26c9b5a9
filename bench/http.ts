/**
 * `deno task bench http [--requests N] [--clients C] [--store URL | --s3-emulator]`:
 * enqueue throughput and p50/p99 latency of `POST /v1/jobs` with C concurrent clients (default
 * 16) against the functions served on loopback, and, in the same run, the store's raw small-PUT
 * throughput with the same concurrency as the peer. The store is a temporary filesystem store
 * by default; `--store http://host:port` uses MinIO (credentials from CGML_S3_ACCESS_KEY /
 * CGML_S3_SECRET_KEY, bucket CGML_BUCKET); `--s3-emulator` uses the in-repo S3 stand-in
 * (`infra/testing/s3_emulator.ts`), which is not MinIO and is labelled so in the output.
 * @module
 */
import { createStore, FsStore, type ObjectStore, Queue } from "../infra/mod.ts";
import { startS3Emulator } from "../infra/testing/s3_emulator.ts";
import { createApp } from "../functions/app.ts";
import { type BenchSuite, emit, round } from "./lib.ts";

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
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

async function openStore(
  args: string[],
): Promise<{ store: ObjectStore; label: string; close(): Promise<void> }> {
  const url = flag(args, "--store");
  if (args.includes("--s3-emulator")) {
    const s3 = await startS3Emulator();
    const store = await createStore(s3.url, {
      bucket: "bench",
      accessKey: s3.accessKey,
      secretKey: s3.secretKey,
    });
    return { store, label: "s3-emulator (stand-in, not MinIO)", close: () => s3.stop() };
  }
  if (url) {
    const store = await createStore(url, {
      bucket: Deno.env.get("CGML_BUCKET") ?? "cgml",
      accessKey: Deno.env.get("CGML_S3_ACCESS_KEY"),
      secretKey: Deno.env.get("CGML_S3_SECRET_KEY"),
    });
    return { store, label: `minio ${url}`, close: () => Promise.resolve() };
  }
  const dir = await Deno.makeTempDir({ prefix: "cgml-bench-http-" });
  return {
    store: await FsStore.open(dir),
    label: "fs",
    close: () => Deno.remove(dir, { recursive: true }),
  };
}

const suite: BenchSuite = {
  description:
    "enqueue throughput and p50/p99 over HTTP (16 clients) vs the store's raw small PUTs",
  async run(args) {
    const total = Number(flag(args, "--requests") ?? 2000);
    const clients = Number(flag(args, "--clients") ?? 16);
    const { store, label, close } = await openStore(args);
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
    try {
      await drive(
        32,
        clients,
        async () => void await (await fetch(url, { method: "POST", headers, body })).text(),
      );
      const record = new TextEncoder().encode(
        JSON.stringify({ id: "x".repeat(26), payload: body }),
      );
      const raw = await drive(
        total,
        clients,
        (i) => store.put(`bench/raw/${i}`, record).then(() => {}),
      );
      const enqueue = await drive(total, clients, async () => {
        const res = await fetch(url, { method: "POST", headers, body });
        await res.text();
        if (res.status !== 202) throw new Error(`Cannot enqueue: HTTP ${res.status}`);
      });
      const common = { suite: "http", store: label, clients, requests: total };
      emit({ ...common, case: "raw_put", ...raw });
      emit({
        ...common,
        case: "enqueue",
        ...enqueue,
        ratio_to_raw_put: round(enqueue.per_s / raw.per_s),
      });
    } finally {
      controller.abort();
      await server.finished;
      await close();
    }
  },
};

export default suite;
