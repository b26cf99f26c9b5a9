import { assert, assertEquals } from "../../testing/assert.ts";
import { s3Test, storeOn } from "./_testing.ts";
import { freePort, webhookUrl } from "./server.ts";

Deno.test("webhookUrl carries the token as URL credentials, escaped", () => {
  const url = new URL(webhookUrl("http://127.0.0.1:8000/v1/events/minio", "a/b+c=d~e.f-0123"));
  assertEquals([url.username, url.password], ["cgml", "a%2Fb+c%3Dd~e.f-0123"]);
  assertEquals(decodeURIComponent(url.password), "a/b+c=d~e.f-0123");
  assertEquals(webhookUrl("http://h:1/x", undefined), "http://h:1/x");
});

s3Test(
  "versitygw keeps data and ETags across SIGKILL and restart on its folder",
  async (server) => {
    const store = await storeOn(server, "lifecycle");
    const { etag } = await store.put("kept.txt", "before the crash");
    const pid = server.pid;
    await server.kill();
    await server.start();
    assert(server.pid !== pid, "a new process");
    const got = await store.get("kept.txt");
    assertEquals([new TextDecoder().decode(got.body), got.etag], ["before the crash", etag]);
  },
);

s3Test("versitygw notifications: raw keys and the URL token as Basic auth", async (server) => {
  const token = "tok/with+odd=chars-0123456789";
  const seen: { auth: string | null; body: { Records?: { s3: { object: { key: string } } }[] } }[] =
    [];
  const port = freePort();
  const hook = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, async (req) => {
    seen.push({ auth: req.headers.get("authorization"), body: await req.json() });
    return new Response("ok");
  });
  try {
    await server.restart({ webhook: webhookUrl(`http://127.0.0.1:${port}/hook`, token) });
    const store = await storeOn(server, "notify");
    const key = "inbox/a b+c%20d.yaml";
    await store.put(key, "x");
    const deadline = Date.now() + 5000;
    const ofKey = () => seen.find((s) => s.body.Records?.[0]?.s3.object.key === key);
    while (!ofKey() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const event = ofKey();
    assert(event, `an event for ${key}; got ${JSON.stringify(seen.map((s) => s.body))}`);
    assertEquals(event.auth, `Basic ${btoa(`cgml:${token}`)}`);
  } finally {
    await hook.shutdown();
  }
});
