import { assertRejects } from "../../testing/assert.ts";
import { minioTest } from "../testing/minio.ts";
import { startS3Emulator } from "../testing/s3_emulator.ts";
import { freePort } from "../minio/server.ts";
import { runStoreContract } from "./contract_suite.ts";
import { StoreUnavailableError } from "./errors.ts";
import { MinioStore } from "./minio_store.ts";

const sanitize = { sanitizeResources: false, sanitizeOps: false };

minioTest("MinioStore passes the object store contract", async (server, t) => {
  const store = await MinioStore.open({
    endpoint: server.url,
    bucket: "contract",
    accessKey: server.rootUser,
    secretKey: server.rootPassword,
  });
  await runStoreContract(t, store);
});

Deno.test({
  name: "MinioStore passes the object store contract [S3 emulator]",
  ...sanitize,
  async fn(t) {
    const s3 = await startS3Emulator();
    try {
      const store = await MinioStore.open({
        endpoint: s3.url,
        bucket: "contract",
        accessKey: s3.accessKey,
        secretKey: s3.secretKey,
      });
      await runStoreContract(t, store);
    } finally {
      await s3.stop();
    }
  },
});

Deno.test({
  name: "MinioStore reports an unreachable server as StoreUnavailableError",
  ...sanitize,
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
