/**
 * Test helper for suites that need a real MinIO server. The policy, shared by every such suite:
 * - a MinIO binary exists (`CGML_MINIO_BIN` or the cached build): start one server for the test
 *   on 127.0.0.1 and a free port, stop it afterwards by its PID;
 * - no binary and `CI=true`: the test fails, saying how to build it — unless `.ci/run` tried the
 *   build and it was refused (it then sets `CGML_MINIO_BUILD_REFUSED` to the reason, and the
 *   suites are ignored with that reason printed);
 * - no binary outside CI: the test is ignored and a line says why (tests never start the
 *   minutes-long build themselves).
 *
 * @module
 */

import { findMinio, hasGo, minioBinaryPath } from "../minio/build.ts";
import { type MinioServer, type MinioServerOptions, startMinio } from "../minio/server.ts";

const binary = await findMinio();
const inCI = Deno.env.get("CI") === "true";
const buildRefused = Deno.env.get("CGML_MINIO_BUILD_REFUSED") ?? "";
const goFound = binary === null ? await hasGo() : true;
let reported = false;

/** Registers `Deno.test(name)` that runs `fn` against a fresh MinIO server (see module doc). */
export function minioTest(
  name: string,
  fn: (server: MinioServer, t: Deno.TestContext) => Promise<void>,
  options: Omit<MinioServerOptions, "binary"> = {},
): void {
  const skip = binary === null && (!inCI || buildRefused !== "");
  if (skip && !reported) {
    reported = true;
    console.error(
      buildRefused !== ""
        ? `MinIO suites skipped: the MinIO build was refused (${buildRefused})`
        : `MinIO suites skipped: no MinIO binary at ${minioBinaryPath()}${
          goFound ? "" : " and no 'go' on PATH"
        }. Build it with 'deno run -A infra/minio/build.ts' (CI=true makes these tests mandatory).`,
    );
  }
  Deno.test({
    name: `${name} [real MinIO]`,
    ignore: skip,
    // minio-js keeps sockets in its keep-alive agent after the test body ends.
    sanitizeResources: false,
    sanitizeOps: false,
    async fn(t) {
      if (binary === null) {
        throw new Error(
          `Cannot run ${name}: CI=true requires MinIO, but there is no binary at ${minioBinaryPath()}; build it with 'deno run -A infra/minio/build.ts'`,
        );
      }
      const server = await startMinio({ ...options, binary });
      try {
        await fn(server, t);
      } finally {
        await server.stop();
      }
    },
  });
}
