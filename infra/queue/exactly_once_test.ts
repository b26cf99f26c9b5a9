import { assert, assertEquals } from "../../testing/assert.ts";
import { ignoreConditions } from "../store/_testing.ts";
import { startS3Emulator } from "../testing/s3_emulator.ts";
import { FsStore } from "../store/fs_store.ts";
import { MinioStore } from "../store/minio_store.ts";
import type { ObjectStore } from "../store/types.ts";
import { exactlyOnceViolations, runExactlyOnceScenario } from "./exactly_once.ts";

const sanitize = { sanitizeResources: false, sanitizeOps: false };

async function withFsStore(fn: (store: FsStore) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cgml-exactly-once-" });
  try {
    await fn(await FsStore.open(dir));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function expectExactlyOnce(store: ObjectStore): Promise<void> {
  const report = await runExactlyOnceScenario(store);
  assertEquals(exactlyOnceViolations(report), []);
  assert(report.fenced > 0, "a paused worker's commit was fenced");
}

Deno.test("6 workers, 24 jobs, crashes and pauses: each job committed once [filesystem]", async () => {
  await withFsStore(expectExactlyOnce);
});

Deno.test({
  name: "6 workers, 24 jobs, crashes and pauses: each job committed once [S3 emulator]",
  ...sanitize,
  async fn() {
    const s3 = await startS3Emulator();
    try {
      await expectExactlyOnce(
        await MinioStore.open({
          endpoint: s3.url,
          bucket: "exactly-once",
          accessKey: s3.accessKey,
          secretKey: s3.secretKey,
        }),
      );
    } finally {
      await s3.stop();
    }
  },
});

Deno.test("mutation check: unconditional lease writes are caught by the same checks", async () => {
  await withFsStore(async (store) => {
    // The startup probe still passes; only the state objects (the leases) lose their CAS.
    const report = await runExactlyOnceScenario(
      ignoreConditions(store, (k) => k.includes("/state/")),
    );
    const violations = exactlyOnceViolations(report);
    assert(
      violations.some((v) => /committed [2-9] times/.test(v)),
      `expected a double commit, got: ${violations.join("; ") || "no violation"}`,
    );
  });
});
