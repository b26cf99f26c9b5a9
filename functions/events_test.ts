import { assert, assertEquals } from "../testing/assert.ts";
import { REJECTED_PREFIX } from "../pipelines/mod.ts";
import { tinyPipeline, TOKENS, withApp } from "./_testing.ts";

/** A MinIO webhook body for one object-created record (key escaped like url.QueryEscape). */
function minioEvent(
  key: string,
  etag: string,
  bucket = "cgml",
  eventName = "s3:ObjectCreated:Put",
) {
  const escaped = encodeURIComponent(key).replace(/%20/g, "+");
  return {
    EventName: eventName,
    Key: `${bucket}/${key}`,
    Records: [{
      eventVersion: "2.0",
      eventSource: "minio:s3",
      eventName,
      s3: {
        s3SchemaVersion: "1.0",
        bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
        object: { key: escaped, size: 10, eTag: etag, sequencer: "1" },
      },
    }],
  };
}

const post = (body: unknown, token: string | null = TOKENS.webhook): RequestInit => ({
  method: "POST",
  headers: {
    "content-type": "application/json",
    ...(token === null ? {} : { authorization: `Bearer ${token}` }),
  },
  body: typeof body === "string" ? body : JSON.stringify(body),
});

Deno.test("webhook: an inbox request starts one job per object version", async () => {
  await withApp(async (f) => {
    const key = "inbox/my run+1.yaml";
    const { etag } = await f.store.put(key, "pipeline: toy-multimodal\nparams:\n  epochs: 2\n");
    const res = await f.app.request("/v1/events/minio", post(minioEvent(key, etag)));
    assertEquals(res.status, 200);
    const [result] = (await res.json()).results;
    assertEquals([result.key, result.kind, result.created], [key, "enqueued", true]);
    const again = await (await f.app.request("/v1/events/minio", post(minioEvent(key, etag))))
      .json();
    assertEquals([again.results[0].id, again.results[0].created], [result.id, false]);
    const job = await f.queue.get(result.id);
    assertEquals([job?.source, (job?.payload as { params: unknown }).params], [key, { epochs: 2 }]);
    const listed = await f.call(`/v1/jobs?source=${encodeURIComponent(key)}`);
    assertEquals((await listed.json()).jobs.length, 1);
    const { etag: etag2 } = await f.store.put(key, "pipeline: toy-multimodal\n");
    const stale = await (await f.app.request("/v1/events/minio", post(minioEvent(key, etag))))
      .json();
    assertEquals(stale.results[0].kind, "ignored");
    const fresh = await (await f.app.request("/v1/events/minio", post(minioEvent(key, etag2))))
      .json();
    assertEquals([fresh.results[0].kind, fresh.results[0].created], ["enqueued", true]);
    assertEquals((await f.queue.list()).jobs.length, 2);
  });
});

Deno.test("webhook: token checked; bad payloads 400; bad requests enqueue nothing", async () => {
  await withApp(async (f) => {
    const { etag } = await f.store.put("inbox/a.yaml", "pipeline: toy-multimodal\n");
    const event = minioEvent("inbox/a.yaml", etag);
    assertEquals((await f.app.request("/v1/events/minio", post(event, null))).status, 401);
    const wrongQuery = `/v1/events/minio?token=${TOKENS.write}`;
    assertEquals((await f.app.request(wrongQuery, post(event, null))).status, 403);
    const wrongBasic = post(event, null);
    wrongBasic.headers = {
      ...wrongBasic.headers,
      authorization: `Basic ${btoa(`u:${TOKENS.read}`)}`,
    };
    assertEquals((await f.app.request("/v1/events/minio", wrongBasic)).status, 403);
    const malformed = post(event, null);
    malformed.headers = { ...malformed.headers, authorization: "Basic !!!" };
    assertEquals((await f.app.request("/v1/events/minio", malformed)).status, 401);
    assertEquals((await f.app.request("/v1/events/minio", post(event, TOKENS.write))).status, 403);
    assertEquals((await f.app.request("/v1/events/minio", post("{oops"))).status, 400);
    assertEquals((await f.app.request("/v1/events/minio", post({ Records: "x" }))).status, 400);
    const badKey = minioEvent("inbox/a.yaml", etag);
    badKey.Records[0].s3.object.key = "inbox%2";
    assertEquals((await f.app.request("/v1/events/minio", post(badKey))).status, 400);
    const requests: [string, string][] = [
      ["inbox/bad-yaml.yaml", "pipeline: [unclosed\n"],
      ["inbox/unknown.yaml", "pipeline: nope\n"],
      ["inbox/bad-params.yaml", "pipeline: toy-multimodal\nparams: {epochs: many}\n"],
      ["inbox/extra.yaml", "pipeline: toy-multimodal\nfoo: 1\n"],
      ["inbox/tagged.yaml", "pipeline: !custom toy-multimodal\n"],
      [
        "inbox/inline-bad.yaml",
        `pipeline:\n${tinyPipeline().replace("toy.data@1", "toy.nope@1").replace(/^/gm, "  ")}`,
      ],
    ];
    for (const [key, text] of requests) {
      const put = await f.store.put(key, text);
      const res = await f.app.request("/v1/events/minio", post(minioEvent(key, put.etag)));
      assertEquals(res.status, 200, key);
      const [result] = (await res.json()).results;
      assertEquals(result.kind, "rejected", `${key}: ${JSON.stringify(result)}`);
      assert(result.error.startsWith(`Cannot start a job from ${key}`), result.error);
    }
    const notes = await f.store.list(REJECTED_PREFIX);
    assertEquals(notes.items.length, requests.length);
    const other = await f.app.request(
      "/v1/events/minio",
      post(minioEvent("inbox/a.yaml", etag, "other")),
    );
    assertEquals(other.status, 400);
    assert((await other.json()).error.includes('bucket "other" is not served here'));
    const removed = minioEvent("inbox/a.yaml", etag, "cgml", "s3:ObjectRemoved:Delete");
    assertEquals(
      (await (await f.app.request("/v1/events/minio", post(removed))).json()).results[0].kind,
      "ignored",
    );
    const outside = await f.app.request(
      "/v1/events/minio",
      post(minioEvent("datasets/x.yaml", etag)),
    );
    assertEquals((await outside.json()).results[0].kind, "ignored");
    assertEquals((await f.queue.list()).jobs.length, 0);
  });
});

Deno.test("webhook refuses every call when no webhook token is configured", async () => {
  const { FsStore, Queue } = await import("../infra/mod.ts");
  const { createApp } = await import("./app.ts");
  const dir = await Deno.makeTempDir();
  try {
    const store = await FsStore.open(dir);
    const app = createApp({
      store,
      queue: await Queue.open(store, { heartbeatMs: 0 }),
      config: { apiTokens: [], store: { bucket: "cgml" } },
    });
    const res = await app.request("/v1/events/minio", post(minioEvent("inbox/a.yaml", "e")));
    assertEquals(res.status, 403);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A versitygw webhook body: raw key, quoted ETag, `aws:s3` source, no top-level Key. */
function versitygwEvent(key: string, etag: string, bucket = "cgml") {
  return {
    Records: [{
      eventVersion: "2.2",
      eventSource: "aws:s3",
      eventName: "s3:ObjectCreated:Put",
      s3: {
        s3SchemaVersion: "1.0",
        bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}/${key}` },
        object: { key, size: 10, eTag: `"${etag}"`, sequencer: "1" },
      },
    }],
  };
}

const HARD_KEYS = ["inbox/a+b.yaml", "inbox/100% done.yaml", "inbox/two  spaces +%2B.yaml"];

Deno.test("webhook: the token as bearer, Basic credentials or ?token= all work", async () => {
  await withApp(async (f) => {
    const { etag } = await f.store.put("inbox/t.yaml", "pipeline: toy-multimodal\n");
    const event = versitygwEvent("inbox/t.yaml", etag);
    const basic = post(event, null);
    basic.headers = {
      ...basic.headers,
      authorization: `Basic ${btoa(`cgml:${TOKENS.webhook}`)}`,
    };
    const viaBasic = await f.app.request("/v1/events/minio", basic);
    assertEquals(viaBasic.status, 200);
    const viaQuery = await f.app.request(
      `/v1/events/minio?token=${encodeURIComponent(TOKENS.webhook)}`,
      post(event, null),
    );
    assertEquals(viaQuery.status, 200);
    const viaBearer = await f.app.request("/v1/events/minio", post(event));
    const ids = [
      (await viaBasic.json()).results[0].id,
      (await viaQuery.json()).results[0].id,
      (await viaBearer.json()).results[0].id,
    ];
    assertEquals(new Set(ids).size, 1, "one job for one object version");
  });
});

Deno.test("webhook: keys with '+', '%' and spaces, escaped (MinIO) or raw (versitygw)", async () => {
  await withApp(async (f) => {
    for (const key of HARD_KEYS) {
      const { etag } = await f.store.put(key, "pipeline: toy-multimodal\n");
      const minio = await (await f.app.request("/v1/events/minio", post(minioEvent(key, etag))))
        .json();
      assertEquals([minio.results[0].key, minio.results[0].kind], [key, "enqueued"], key);
      const raw = await (await f.app.request("/v1/events/minio", post(versitygwEvent(key, etag))))
        .json();
      assertEquals([raw.results[0].key, raw.results[0].id], [key, minio.results[0].id], key);
      assertEquals(raw.results[0].created, false);
    }
    const jobs = (await f.queue.list()).jobs;
    assertEquals(jobs.map((j) => j.source).sort(), [...HARD_KEYS].sort());
  });
});

Deno.test("webhook: hostile keys and events are 4xx and enqueue nothing", async () => {
  await withApp(async (f) => {
    const { etag } = await f.store.put("inbox/ok.yaml", "pipeline: toy-multimodal\n");
    const hostile = [
      "inbox/../x.yaml",
      "../inbox/x.yaml",
      "/inbox/x.yaml",
      "inbox/nul\u0000.yaml",
      `inbox/${"k".repeat(2048)}.yaml`,
      "inbox//x.yaml",
    ];
    for (const key of hostile) {
      const both = versitygwEvent("inbox/ok.yaml", etag);
      both.Records.push(versitygwEvent(key, etag).Records[0]);
      const res = await f.app.request("/v1/events/minio", post(both));
      assertEquals(res.status, 400, JSON.stringify(key).slice(0, 40));
      assert((await res.json()).error.startsWith("Cannot accept the event"));
      const escaped = await f.app.request("/v1/events/minio", post(minioEvent(key, etag)));
      assertEquals(escaped.status, 400, JSON.stringify(key).slice(0, 40));
    }
    const tooMany = {
      Records: Array.from({ length: 1001 }, () => versitygwEvent("a", etag).Records[0]),
    };
    assertEquals((await f.app.request("/v1/events/minio", post(tooMany))).status, 400);
    assertEquals((await f.app.request("/v1/events/minio", post({}))).status, 400);
    assertEquals((await f.queue.list()).jobs, [], "nothing enqueued");
    const test = { Service: "S3", Event: "s3:TestEvent", Bucket: "Test-Bucket" };
    const answered = await f.app.request("/v1/events/minio", post(test));
    assertEquals([answered.status, await answered.json()], [200, { results: [] }]);
  });
});

Deno.test("webhook: records outside inbox/ are ignored without a store round trip", async () => {
  const { FsStore, Queue } = await import("../infra/mod.ts");
  const { createApp } = await import("./app.ts");
  const dir = await Deno.makeTempDir();
  try {
    const store = await FsStore.open(dir);
    const queue = await Queue.open(store, { heartbeatMs: 0 });
    let calls = 0;
    const counted = new Proxy(store, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          calls++;
          return value.apply(target, args);
        };
      },
    });
    const app = createApp({
      store: counted,
      queue,
      config: { apiTokens: [], webhookToken: TOKENS.webhook, store: { bucket: "cgml" } },
    });
    const keys = ["q/jobs/1.json", "jobs/x/report.html", "inboxed/a.yaml", "datasets/inbox/a.yaml"];
    const body = { Records: keys.map((k) => versitygwEvent(k, "e", "other").Records[0]) };
    const res = await app.request("/v1/events/minio", post(body));
    assertEquals(res.status, 200);
    const results = (await res.json()).results;
    assertEquals(results.map((r: { kind: string }) => r.kind), keys.map(() => "ignored"));
    assertEquals(calls, 0, "no store call");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("webhook: a stored pipeline's trigger marker starts one job; the data files none", async () => {
  await withApp(async (f) => {
    const text = tinyPipeline("on-ready").replace(
      "stages:",
      "triggers:\n  - key: datasets/*/_READY\n    params:\n      n: 8\nstages:",
    );
    const stored = await f.call("/v1/pipelines/on-ready", {
      method: "PUT",
      headers: { "content-type": "application/yaml" },
      body: text,
    });
    assertEquals(stored.status, 200);
    const events = [];
    for (let i = 0; i < 50; i++) {
      const key = `datasets/shapes/chair/train/${i}.off`;
      events.push(minioEvent(key, (await f.store.put(key, "OFF\n0 0 0\n")).etag).Records[0]);
    }
    const data = await f.app.request("/v1/events/minio", post({ Records: events }));
    assertEquals(data.status, 200);
    const kinds = new Set((await data.json()).results.map((r: { kind: string }) => r.kind));
    assertEquals([...kinds], ["ignored"]);
    const marker = "datasets/shapes/_READY";
    const { etag } = await f.store.put(marker, "1");
    for (let i = 0; i < 2; i++) {
      const res = await f.app.request("/v1/events/minio", post(minioEvent(marker, etag)));
      const [result] = (await res.json()).results;
      assertEquals([result.kind, result.jobs[0].pipeline], ["triggered", "on-ready"]);
      assertEquals(result.jobs[0].created, i === 0);
    }
    const { jobs } = await f.queue.list();
    assertEquals(jobs.length, 1);
    assertEquals(jobs[0].source, marker);
    assertEquals((jobs[0].payload as { params: unknown }).params, { n: 8 });
    const queueWrite = await f.app.request(
      "/v1/events/minio",
      post(minioEvent("queue/jobs/x.json", etag)),
    );
    assertEquals((await queueWrite.json()).results[0].reason, "the service's own prefix");
  });
});
