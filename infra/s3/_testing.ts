/**
 * Test helper for suites that need a real S3 server (versitygw). The policy, shared by every
 * such suite:
 * - the binary exists (`CGML_S3_BIN` or the cached build), or Go is on PATH to build it once
 *   into the cache: each test starts its own server on 127.0.0.1, a free port and a temporary
 *   folder, and stops it by its PID afterwards;
 * - `CI=true`: a missing binary or a failed build fails the tests (no skip in CI);
 * - outside CI without Go: the tests are ignored and one line says why.
 *
 * @module
 */

import { ensureVersitygw, findVersitygw, hasGo, versitygwPath } from "./build.ts";
import { type S3Server, type S3ServerOptions, startS3Server } from "./server.ts";
import { MinioStore } from "../store/minio_store.ts";

const inCI = Deno.env.get("CI") === "true";

async function locate(): Promise<{ binary: string | null; reason: string }> {
  const found = await findVersitygw();
  if (found) return { binary: found, reason: "" };
  if (!(await hasGo())) {
    return {
      binary: null,
      reason: `no versitygw at ${versitygwPath()} and no 'go' on PATH to build it ` +
        "(install Go >= 1.25, or run 'deno run -A infra/s3/build.ts' where Go is)",
    };
  }
  try {
    return { binary: await ensureVersitygw(), reason: "" };
  } catch (e) {
    return { binary: null, reason: (e as Error).message };
  }
}

const { binary, reason } = await locate();

if (binary === null && !inCI) console.error(`Real-S3 tests skipped: ${reason}`);

/** Registers `Deno.test(name)` that runs `fn` against a fresh S3 server (see module doc). */
export function s3Test(
  name: string,
  fn: (server: S3Server, t: Deno.TestContext) => Promise<void>,
  options: Omit<S3ServerOptions, "binary"> = {},
): void {
  Deno.test({
    name: `${name} [real S3: versitygw]`,
    ignore: binary === null && !inCI,
    // minio-js keeps sockets in its keep-alive agent after the test body ends.
    sanitizeResources: false,
    sanitizeOps: false,
    async fn(t) {
      if (binary === null) {
        throw new Error(`Cannot run ${name}: CI=true requires it, but ${reason}`);
      }
      const server = await startS3Server({ ...options, binary });
      try {
        await fn(server, t);
      } finally {
        await server.stop();
      }
    },
  });
}

/** Opens the S3 store of `bucket` on `server` (created when missing). */
export function storeOn(server: S3Server, bucket: string): Promise<MinioStore> {
  return MinioStore.open({
    endpoint: server.url,
    bucket,
    accessKey: server.accessKey,
    secretKey: server.secretKey,
  });
}

/** The `CGML_*` variables that point an entry point at `bucket` on `server`. */
export function storeEnv(server: S3Server, bucket: string): Record<string, string> {
  return {
    CGML_STORE: server.url,
    CGML_BUCKET: bucket,
    CGML_S3_ACCESS_KEY: server.accessKey,
    CGML_S3_SECRET_KEY: server.secretKey,
  };
}
