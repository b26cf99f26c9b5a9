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
    assertEquals((await other.json()).results[0].kind, "ignored");
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
