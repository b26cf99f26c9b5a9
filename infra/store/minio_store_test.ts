import { assertEquals, assertRejects } from "../../testing/assert.ts";
import { s3Test, storeOn } from "../s3/_testing.ts";
import { freePort } from "../s3/server.ts";
import { runStoreContract } from "./contract_suite.ts";
import { StoreError, StoreUnavailableError } from "./errors.ts";
import { MinioStore } from "./minio_store.ts";
import { MINIO_WEBHOOK_ARN } from "./notifications.ts";

s3Test("the S3 store passes the object store contract", async (server, t) => {
  await runStoreContract(t, await storeOn(server, "contract"));
});

s3Test("an S3 server that takes no notification config says so", async (server) => {
  const store = await storeOn(server, "notify");
  assertEquals(store.notifications.bucket, "notify");
  await assertRejects(
    () =>
      store.notifications.ensureQueue({
        id: "cgml-inbox",
        arn: MINIO_WEBHOOK_ARN,
        prefix: "inbox/",
        events: ["s3:ObjectCreated:Put"],
      }),
    StoreError,
    "Cannot set the notification config of bucket notify: NotImplemented",
  );
});

Deno.test({
  name: "the S3 store reports an unreachable server as StoreUnavailableError",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await assertRejects(
      () =>
        MinioStore.open({
          endpoint: `http://127.0.0.1:${freePort()}`,
          bucket: "nobody-home",
          accessKey: "x",
          secretKey: "y",
        }),
      StoreUnavailableError,
    );
  },
});

s3Test("S3 conditional writes exclude each other across processes", async (server) => {
  await storeOn(server, "processes");
  const script = `
    import { MinioStore } from "${new URL("./minio_store.ts", import.meta.url).href}";
    const [endpoint, accessKey, secretKey, name] = Deno.args;
    const store = await MinioStore.open({ endpoint, bucket: "processes", accessKey, secretKey });
    const wins = [];
    await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      try { await store.put("claims/" + i, name, { ifNoneMatch: "*" }); wins.push(i); }
      catch (e) { if (e.name !== "PreconditionFailedError") throw e; }
    }));
    console.log(JSON.stringify(wins));
  `;
  const run = (name: string) =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        "--no-check",
        "--quiet",
        script,
        server.url,
        server.accessKey,
        server.secretKey,
        name,
      ],
      stdout: "piped",
      stderr: "inherit",
    }).output();
  const outs = await Promise.all([run("p1"), run("p2"), run("p3")]);
  const wins = outs.flatMap((o) => {
    assertEquals(o.success, true, "child process succeeded");
    return JSON.parse(new TextDecoder().decode(o.stdout)) as number[];
  });
  assertEquals(wins.sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i));
});
