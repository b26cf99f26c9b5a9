import { assert, assertEquals } from "../../testing/assert.ts";
import { ignoreConditions } from "../store/_testing.ts";
import { s3Test, storeOn } from "../s3/_testing.ts";
import { FsStore } from "../store/fs_store.ts";
import type { ObjectStore } from "../store/types.ts";
import { exactlyOnceViolations, runExactlyOnceScenario } from "./exactly_once.ts";

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

s3Test("6 workers, 24 jobs, crashes and pauses: each job committed once", async (server) => {
  await expectExactlyOnce(await storeOn(server, "exactly-once"));
});

async function expectMutationCaught(store: ObjectStore): Promise<void> {
  // The startup probe still passes; only the state objects (the leases) lose their CAS.
  const report = await runExactlyOnceScenario(
    ignoreConditions(store, (k) => k.includes("/state/")),
  );
  const violations = exactlyOnceViolations(report);
  assert(
    violations.some((v) => /committed [2-9] times/.test(v)),
    `expected a double commit, got: ${violations.join("; ") || "no violation"}`,
  );
}

Deno.test("mutation check: unconditional lease writes are caught by the same checks [filesystem]", async () => {
  await withFsStore(expectMutationCaught);
});

s3Test(
  "mutation check: unconditional lease writes are caught by the same checks",
  async (server) => {
    await expectMutationCaught(await storeOn(server, "mutation"));
  },
);
