import { assert, assertEquals } from "../../testing/assert.ts";
import { minioTest } from "../testing/minio.ts";
import { MinioStore } from "../store/minio_store.ts";
import { exactlyOnceViolations, runExactlyOnceScenario } from "./exactly_once.ts";
import { runQueueSuite } from "./queue_suite.ts";

minioTest("queue on real MinIO: behaviours and exactly-once under crashes", async (server, t) => {
  const store = await MinioStore.open({
    endpoint: server.url,
    bucket: "queue",
    accessKey: server.rootUser,
    secretKey: server.rootPassword,
  });
  await runQueueSuite(t, store);
  await t.step("6 workers, 24 jobs, crashes and pauses: each job committed once", async () => {
    const report = await runExactlyOnceScenario(store);
    assertEquals(exactlyOnceViolations(report), []);
    assert(report.fenced > 0, "a paused worker's commit was fenced");
  });
});
