import { assert, assertEquals } from "../testing/assert.ts";
import { tinyPipeline, TOKENS, withApp } from "./_testing.ts";

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: typeof body === "string" ? body : JSON.stringify(body),
});

async function jobCount(f: { queue: { list(): Promise<{ jobs: unknown[] }> } }) {
  return (await f.queue.list()).jobs.length;
}

Deno.test("POST /v1/jobs queues a shipped pipeline and GET reports it", async () => {
  await withApp(async (f) => {
    const res = await f.call(
      "/v1/jobs",
      json({ pipeline: "toy-multimodal", params: { epochs: 2 } }),
    );
    assertEquals(res.status, 202);
    const { id, status } = await res.json();
    assertEquals(status, "queued");
    assertEquals(res.headers.get("location"), `/v1/jobs/${id}`);
    const got = await (await f.call(`/v1/jobs/${id}`)).json();
    assertEquals([got.id, got.status, got.pipeline, got.attempts], [
      id,
      "queued",
      "toy-multimodal",
      0,
    ]);
    assertEquals(got.artifacts, []);
    const payload = (await f.queue.get(id))!.payload as { params: unknown; text: string };
    assertEquals(payload.params, { epochs: 2 });
    assert(payload.text.includes("name: toy-multimodal"));
  });
});

Deno.test("POST /v1/jobs accepts an inline spec and honours Idempotency-Key", async () => {
  await withApp(async (f) => {
    const { parse } = await import("yaml");
    const body = { pipeline: parse(tinyPipeline("inline-one")), params: { n: 3 } };
    const a = await (await f.call("/v1/jobs", json(body, { "idempotency-key": "k1" }))).json();
    const b = await (await f.call("/v1/jobs", json(body, { "idempotency-key": "k1" }))).json();
    assertEquals(a.id, b.id);
    assertEquals(await jobCount(f), 1);
    assertEquals(
      ((await f.queue.get(a.id))!.payload as { pipeline: string }).pipeline,
      "inline-one",
    );
  });
});

Deno.test("bad job requests get a clear 4xx and enqueue nothing", async () => {
  await withApp(async (f) => {
    const cases: [RequestInit, number, string][] = [
      [json("{not json"), 400, "Malformed JSON"],
      [json({ pipeline: "no-such-pipeline" }), 422, "unknown pipeline"],
      [json({ pipeline: "../etc/passwd" }), 400, "pipeline"],
      [json({ pipeline: "toy-multimodal", params: { epochs: "many" } }), 422, "epochs"],
      [json({ pipeline: "toy-multimodal", extra: 1 }), 400, "extra"],
      [
        json({ pipeline: { version: 1, name: "x", stages: { a: { uses: "nope@1" } } } }),
        422,
        "nope",
      ],
      [json([1, 2]), 400, "Cannot read the request"],
      [{ method: "POST", headers: { "content-type": "text/plain" }, body: "x" }, 415, "Media Type"],
    ];
    for (const [init, status, text] of cases) {
      const res = await f.call("/v1/jobs", init);
      const body = await res.json();
      assertEquals(res.status, status, `${init.body}: ${JSON.stringify(body)}`);
      assert(body.error.startsWith("Cannot"), body.error);
      assert(JSON.stringify(body).includes(text), `${JSON.stringify(body)} lacks ${text}`);
    }
    assertEquals(await jobCount(f), 0);
  });
});

Deno.test("auth: 401 without or with a malformed token, 403 for unknown or read-only", async () => {
  await withApp(async (f) => {
    const post = (auth?: string) =>
      f.app.request("/v1/jobs", {
        ...json({ pipeline: "toy-multimodal" }),
        headers: { "content-type": "application/json", ...(auth ? { authorization: auth } : {}) },
      });
    const none = await post();
    assertEquals(none.status, 401);
    assertEquals(none.headers.get("www-authenticate"), 'Bearer realm="cgml"');
    assertEquals((await post("Basic abc")).status, 401);
    assertEquals((await post("Bearer wrong-token-0123456789")).status, 403);
    assertEquals((await post(`Bearer ${TOKENS.read}`)).status, 403);
    assertEquals((await post(`Bearer ${TOKENS.webhook}`)).status, 403);
    assertEquals(await jobCount(f), 0);
    const read = await f.app.request("/v1/jobs", {
      headers: { authorization: `Bearer ${TOKENS.read}` },
    });
    assertEquals(read.status, 200);
    assertEquals((await f.app.request("/v1/jobs")).status, 401);
    assertEquals((await f.app.request("/healthz")).status, 200);
  });
});

Deno.test("oversized bodies get 413 with or without Content-Length", async () => {
  await withApp(async (f) => {
    const big = JSON.stringify({ pipeline: "toy-multimodal", params: { x: "a".repeat(5000) } });
    assertEquals((await f.call("/v1/jobs", json(big))).status, 413);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode(big));
        c.close();
      },
    });
    const res = await f.call("/v1/pipelines/validate", {
      method: "POST",
      headers: { "content-type": "application/yaml" },
      body: stream,
    });
    assertEquals(res.status, 413);
    assertEquals(await jobCount(f), 0);
  }, { maxBodyBytes: 4096 });
});

Deno.test("GET /v1/jobs filters by status and source and pages", async () => {
  await withApp(async (f) => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await f.call(
        "/v1/jobs",
        json({ pipeline: "toy-multimodal", params: { seed: i } }),
      );
      ids.push((await res.json()).id);
    }
    await f.call(`/v1/jobs/${ids[1]}/cancel`, { method: "POST" });
    const page1 = await (await f.call("/v1/jobs?limit=2&status=queued")).json();
    assertEquals(page1.jobs.map((j: { id: string }) => j.id), [ids[0], ids[2]]);
    const page2 = await (await f.call(`/v1/jobs?limit=2&status=queued&after=${page1.next}`)).json();
    assertEquals(page2.jobs.map((j: { id: string }) => j.id), [ids[3], ids[4]]);
    const cancelled = await (await f.call("/v1/jobs?status=cancelled")).json();
    assertEquals(cancelled.jobs.map((j: { id: string }) => j.id), [ids[1]]);
    assertEquals((await (await f.call("/v1/jobs?source=inbox/x.yaml")).json()).jobs, []);
    assertEquals((await f.call("/v1/jobs?limit=0")).status, 400);
    assertEquals((await f.call("/v1/jobs?status=bogus")).status, 400);
  });
});

Deno.test("GET /v1/jobs/:id/events streams status events until the job is final", async () => {
  await withApp(async (f) => {
    const { id } = await (await f.call("/v1/jobs", json({ pipeline: "toy-multimodal" }))).json();
    const res = await f.call(`/v1/jobs/${id}/events`);
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-type"), "text/event-stream");
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const first = await reader.read();
    text += first.value;
    assert(text.includes("event: status") && text.includes('"status":"queued"'), text);
    const claimed = await f.queue.claim();
    claimed!.progress({ fraction: 0.5, stage: "data" });
    await claimed!.heartbeat();
    await claimed!.complete({ ok: true });
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    assert(text.includes('"fraction":0.5') || text.includes('"status":"succeeded"'), text);
    assert(text.includes("event: end"), text);
    assert(text.includes('"status":"succeeded"'), text);
    assertEquals((await f.call("/v1/jobs/missing-1/events")).status, 404);
  }, { ssePollMs: 10 });
});

Deno.test("artifacts stream from the filesystem store; keys stay inside the job", async () => {
  await withApp(async (f) => {
    const { id } = await (await f.call("/v1/jobs", json({ pipeline: "toy-multimodal" }))).json();
    await f.store.put(`jobs/${id}/report/index.html`, "<h1>hi</h1>");
    await f.store.put("secret.txt", "top secret");
    const res = await f.call(`/v1/jobs/${id}/artifacts/report/index.html`);
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-type"), "text/html; charset=utf-8");
    assertEquals(await res.text(), "<h1>hi</h1>");
    const job = await (await f.call(`/v1/jobs/${id}`)).json();
    assertEquals(job.artifacts, [{ path: "report/index.html", size: 11 }]);
    for (
      const path of [
        "..%2F..%2Fsecret.txt",
        "%2Fsecret.txt",
        "a%2F..%2F..%2Fsecret.txt",
        "%5C..%5Cx",
      ]
    ) {
      const bad = await f.call(`/v1/jobs/${id}/artifacts/${path}`);
      assertEquals(bad.status, 400, path);
      assert((await bad.json()).error.startsWith("Cannot read artifact"));
    }
    const dotted = await f.call(`/v1/jobs/${id}/artifacts/../../../secret.txt`);
    assert(dotted.status >= 400 && dotted.status < 500);
    assert(!(await dotted.text()).includes("top secret"));
    assertEquals((await f.call(`/v1/jobs/${id}/artifacts/missing.txt`)).status, 404);
  });
});

Deno.test("pipelines: validate, store under a name, read back, run by name", async () => {
  await withApp(async (f) => {
    const yaml = { "content-type": "application/yaml" };
    const ok = await f.call("/v1/pipelines/validate", {
      method: "POST",
      headers: yaml,
      body: tinyPipeline(),
    });
    assertEquals(ok.status, 200);
    assertEquals(await ok.json(), {
      valid: true,
      name: "tiny",
      stages: [{ id: "data", uses: "toy.data@1" }],
    });
    const withParams = await f.call(
      "/v1/pipelines/validate",
      json({ text: tinyPipeline(), params: { n: 0 } }),
    );
    assertEquals(withParams.status, 422);
    const bad = await f.call("/v1/pipelines/validate", {
      method: "POST",
      headers: yaml,
      body: "a: [1\n",
    });
    assertEquals(bad.status, 422);
    const badBody = await bad.json();
    assertEquals(badBody.valid, false);
    assert(/line \d+/.test(badBody.error) || badBody.issues[0].line > 0, badBody.error);
    const put = await f.call("/v1/pipelines/tiny", {
      method: "PUT",
      headers: yaml,
      body: tinyPipeline(),
    });
    assertEquals(put.status, 200);
    const got = await f.call("/v1/pipelines/tiny");
    assertEquals([got.status, await got.text()], [200, tinyPipeline()]);
    const shipped = await f.call("/v1/pipelines/toy-multimodal");
    assertEquals(shipped.status, 200);
    assertEquals((await f.call("/v1/pipelines/none")).status, 404);
    const mismatch = await f.call("/v1/pipelines/other", {
      method: "PUT",
      headers: yaml,
      body: tinyPipeline(),
    });
    assertEquals(mismatch.status, 422);
    assertEquals(
      (await f.call("/v1/pipelines/..", { method: "PUT", headers: yaml, body: "x" })).status < 500,
      true,
    );
    assertEquals(
      (await f.call("/v1/pipelines/a%2Fb", { method: "PUT", headers: yaml, body: tinyPipeline() }))
        .status,
      400,
    );
    const job = await f.call("/v1/jobs", json({ pipeline: "tiny", params: { n: 5 } }));
    assertEquals(job.status, 202);
  });
});

Deno.test("dataset uploads need a presigning store and confined paths", async () => {
  await withApp(async (f) => {
    const url = "/v1/datasets/shapes/uploads";
    const res = await f.call(url, json({ files: [{ path: "a/b.off" }] }));
    assertEquals(res.status, 501);
    assert((await res.json()).error.includes("no presigned URLs"));
    assertEquals((await f.call(url, json({ files: [{ path: "../x" }] }))).status, 400);
    assertEquals((await f.call(url, json({ files: [{ path: "/etc/x" }] }))).status, 400);
    assertEquals((await f.call(url, json({ files: [] }))).status, 400);
    assertEquals(
      (await f.call("/v1/datasets/../uploads", json({ files: [{ path: "x" }] }))).status,
      404,
    );
  });
});

Deno.test("health, readiness, metrics, OpenAPI and docs answer", async () => {
  await withApp(async (f) => {
    assertEquals((await f.app.request("/readyz")).status, 200);
    await f.call("/v1/jobs", json({ pipeline: "toy-multimodal" }));
    const metrics = await (await f.app.request("/metrics")).text();
    assert(metrics.includes('cgml_jobs_enqueued_total{via="api"} 1'), metrics);
    assert(metrics.includes("cgml_http_request_duration_seconds_bucket"), metrics);
    const doc = await (await f.app.request("/openapi.json")).json();
    for (
      const path of [
        "/v1/jobs",
        "/v1/jobs/{id}",
        "/v1/jobs/{id}/events",
        "/v1/jobs/{id}/artifacts/{path}",
        "/v1/pipelines/validate",
        "/v1/pipelines/{name}",
        "/v1/datasets/{name}/uploads",
        "/v1/events/minio",
      ]
    ) assert(doc.paths[path], path);
    const docs = await f.app.request("/docs");
    assert((await docs.text()).includes("/v1/events/minio"));
  });
});
