import { assert, assertEquals } from "../testing/assert.ts";
import { Queue } from "../infra/mod.ts";
import { s3Test, storeOn } from "../infra/s3/_testing.ts";
import { createApp } from "./app.ts";

s3Test("presigning store: artifacts redirect, uploads get PUT URLs", async (s3) => {
  const store = await storeOn(s3, "cgml");
  const queue = await Queue.open(store, { heartbeatMs: 0 });
  const app = createApp({ store, queue, config: { apiTokens: [], store: { bucket: "cgml" } } });
  const { id } = await queue.enqueue({ pipeline: "x", text: "x", params: {} });
  await store.put(`jobs/${id}/report.html`, "<p>r</p>");
  const res = await app.request(`/v1/jobs/${id}/artifacts/report.html`);
  assertEquals(res.status, 302);
  const location = res.headers.get("location")!;
  assert(location.startsWith(`${s3.url}/cgml/jobs/${id}/report.html?`), location);
  assert(location.includes("X-Amz-Signature="), location);
  assertEquals((await app.request(`/v1/jobs/${id}/artifacts/none.html`)).status, 404);
  const up = await app.request("/v1/datasets/shapes/uploads", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ files: [{ path: "chair/a.off" }] }),
  });
  assertEquals(up.status, 200);
  const [upload] = (await up.json()).uploads;
  assertEquals([upload.key, upload.method], ["datasets/shapes/chair/a.off", "PUT"]);
  assert(upload.url.includes("X-Amz-Signature="), upload.url);
  const put = await fetch(upload.url, { method: "PUT", body: "OFF\n" });
  await put.body?.cancel();
  assertEquals(put.status, 200);
  assertEquals(new TextDecoder().decode((await store.get(upload.key)).body), "OFF\n");
});
