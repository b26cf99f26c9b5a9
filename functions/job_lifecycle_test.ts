import { assert, assertEquals } from "../testing/assert.ts";
import { TOKENS, withApp } from "./_testing.ts";

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

Deno.test("POST /v1/jobs/:id/cancel cancels and keeps the job; unknown ids are 404", async () => {
  await withApp(async (f) => {
    const { id } = await (await f.call("/v1/jobs", json({ pipeline: "toy-multimodal" }))).json();
    const res = await f.call(`/v1/jobs/${id}/cancel`, { method: "POST" });
    assertEquals([res.status, (await res.json()).status], [200, "cancelled"]);
    const again = await f.call(`/v1/jobs/${id}/cancel`, { method: "POST" });
    assertEquals([again.status, (await again.json()).status], [200, "cancelled"]);
    assertEquals((await (await f.call(`/v1/jobs/${id}`)).json()).status, "cancelled");
    assertEquals((await f.call("/v1/jobs/nope-123/cancel", { method: "POST" })).status, 404);
    assertEquals((await f.call("/v1/jobs/nope-123")).status, 404);
    const read = await f.app.request(`/v1/jobs/${id}/cancel`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKENS.read}` },
    });
    assertEquals(read.status, 403);
  });
});

Deno.test("DELETE /v1/jobs/:id removes a finished job and its files; active jobs are 409", async () => {
  await withApp(async (f) => {
    const submit = (key: string) =>
      f.call("/v1/jobs", json({ pipeline: "toy-multimodal" }, { "idempotency-key": key }));
    const { id } = await (await submit("k-del")).json();
    const queued = await f.call(`/v1/jobs/${id}`, { method: "DELETE" });
    assertEquals(queued.status, 409);
    assert((await queued.json()).error.includes(`POST /v1/jobs/${id}/cancel`));
    const claimed = await f.queue.claim();
    await f.store.put(`jobs/${id}/report.html`, "<p>r</p>");
    await f.store.put(`jobs/${id}/logs/run.log`, "line\n");
    assertEquals((await f.call(`/v1/jobs/${id}`, { method: "DELETE" })).status, 409, "running");
    await claimed!.complete({ ok: true });
    const read = await f.app.request(`/v1/jobs/${id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${TOKENS.read}` },
    });
    assertEquals(read.status, 403);
    const res = await f.call(`/v1/jobs/${id}`, { method: "DELETE" });
    assertEquals([res.status, await res.text()], [204, ""]);
    for (const path of [`/v1/jobs/${id}`, `/v1/jobs/${id}/events`]) {
      assertEquals((await f.call(path)).status, 404, path);
    }
    assertEquals((await f.call(`/v1/jobs/${id}/artifacts/report.html`)).status, 404);
    assertEquals((await (await f.call("/v1/jobs")).json()).jobs, []);
    assertEquals((await f.store.list(`jobs/${id}/`)).items, []);
    assertEquals((await f.call(`/v1/jobs/${id}`, { method: "DELETE" })).status, 404);
    const retried = await submit("k-del");
    assertEquals(retried.status, 409, "the deleted job's idempotency key stays spent");
    assert((await retried.json()).error.includes("was deleted"));
    assertEquals((await submit("k-new")).status, 202);
  });
});

Deno.test("a job cancelled while running is deletable after its lease (Retry-After)", async () => {
  await withApp(async (f) => {
    const { id } = await (await f.call("/v1/jobs", json({ pipeline: "toy-multimodal" }))).json();
    assert((await f.queue.claim()) !== null);
    await f.call(`/v1/jobs/${id}/cancel`, { method: "POST" });
    const res = await f.call(`/v1/jobs/${id}`, { method: "DELETE" });
    assertEquals(res.status, 409);
    const seconds = Number(res.headers.get("retry-after"));
    assert(seconds >= 1 && seconds <= 30, `Retry-After ${seconds}`);
    assert((await res.json()).error.includes("may still be writing"));
  });
});

Deno.test("an SSE stream of a job deleted while followed ends with status deleted", async () => {
  await withApp(async (f) => {
    const { id } = await (await f.call("/v1/jobs", json({ pipeline: "toy-multimodal" }))).json();
    const res = await f.call(`/v1/jobs/${id}/events`);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = (await reader.read()).value ?? "";
    const claimed = await f.queue.claim();
    await claimed!.complete({ ok: true });
    assertEquals((await f.queue.remove(id)).kind, "removed");
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    assert(text.includes('event: end\ndata: {"status":"deleted"}'), text);
  }, { ssePollMs: 300 });
});
