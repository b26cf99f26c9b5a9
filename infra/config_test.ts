import { assertEquals, assertThrows } from "../testing/assert.ts";
import {
  ConfigError,
  loadConfig,
  loadS3ServerConfig,
  loadStoreConfig,
  loadWorkerConfig,
} from "./config.ts";

const TOKEN_A = "a".repeat(16);
const TOKEN_B = "B-token.0123456789";
const S3 = {
  CGML_STORE: "http://127.0.0.1:9000",
  CGML_S3_ACCESS_KEY: "cgml-admin",
  CGML_S3_SECRET_KEY: "secret-key-1",
};

Deno.test("config defaults to the embedded store under the working directory", () => {
  const config = loadConfig({}, "/srv/app");
  assertEquals(config, {
    store: {
      url: "file:///srv/app/.cache/store",
      kind: "fs",
      bucket: "cgml",
      accessKey: undefined,
      secretKey: undefined,
    },
    apiTokens: [],
    webhookToken: undefined,
    port: 8000,
    host: "127.0.0.1",
  });
  assertEquals(loadStoreConfig({ CGML_STORE: "" }, "/srv/app").url, "file:///srv/app/.cache/store");
});

Deno.test("config reads an S3 store, tokens, webhook token, host and port", () => {
  const config = loadConfig({
    ...S3,
    CGML_BUCKET: "jobs-1",
    CGML_API_TOKENS: `${TOKEN_A}:read, ${TOKEN_B}:write,`,
    CGML_WEBHOOK_TOKEN: TOKEN_B,
    PORT: "0",
    CGML_HOST: "0.0.0.0",
  });
  assertEquals(config.store, {
    url: "http://127.0.0.1:9000",
    kind: "minio",
    bucket: "jobs-1",
    accessKey: "cgml-admin",
    secretKey: "secret-key-1",
  });
  assertEquals(config.apiTokens, [
    { token: TOKEN_A, scope: "read" },
    { token: TOKEN_B, scope: "write" },
  ]);
  assertEquals([config.webhookToken, config.port, config.host], [TOKEN_B, 0, "0.0.0.0"]);
});

Deno.test("the worker section: defaults, values and limits", () => {
  assertEquals(loadWorkerConfig({}, "/w"), {
    store: loadStoreConfig({}, "/w"),
    concurrency: 1,
    scanSeconds: 30,
    leaseSeconds: 30,
    workDir: "/w/.cache/worker",
    objectCacheDir: "/w/.cache/worker/objects",
  });
  const w = loadWorkerConfig({
    ...S3,
    CGML_WORKER_CONCURRENCY: "2",
    CGML_INBOX_SCAN_SECONDS: "0",
    CGML_LEASE_SECONDS: "5",
    CGML_WORK_DIR: "/tmp/w",
  });
  assertEquals([w.store.kind, w.concurrency, w.scanSeconds, w.leaseSeconds, w.workDir], [
    "minio",
    2,
    0,
    5,
    "/tmp/w",
  ]);
  assertEquals(w.objectCacheDir, "/tmp/w/objects");
  assertEquals(
    loadWorkerConfig({ CGML_OBJECT_CACHE_DIR: "/big/objects" }).objectCacheDir,
    "/big/objects",
  );
  assertThrows(
    () => loadWorkerConfig({ CGML_WORKER_CONCURRENCY: "0" }),
    ConfigError,
    "CGML_WORKER_CONCURRENCY: must be an integer >= 1",
  );
  assertThrows(() => loadWorkerConfig({ CGML_LEASE_SECONDS: "1.5" }), ConfigError, "LEASE");
  assertThrows(() => loadWorkerConfig({ CGML_INBOX_SCAN_SECONDS: "-1" }), ConfigError, "SCAN");
});

Deno.test("the S3 server section requires root credentials", () => {
  assertEquals(loadS3ServerConfig({ ...S3, CGML_WEBHOOK_TOKEN: TOKEN_A }), {
    accessKey: "cgml-admin",
    secretKey: "secret-key-1",
    webhookToken: TOKEN_A,
  });
  assertThrows(() => loadS3ServerConfig({}), ConfigError, "CGML_S3_ACCESS_KEY: required");
  assertThrows(
    () => loadS3ServerConfig({ CGML_S3_ACCESS_KEY: "abc", CGML_S3_SECRET_KEY: "short" }),
    ConfigError,
    "CGML_S3_SECRET_KEY: must have at least 8",
  );
});

Deno.test("config errors name the variable", () => {
  const bad = (env: Record<string, string>, variable: string) =>
    assertThrows(() => loadConfig(env), ConfigError, variable);
  bad({ CGML_STORE: "s3://bucket" }, "CGML_STORE: must be file:///absolute/path");
  bad({ CGML_STORE: "file://relative/path" }, "CGML_STORE");
  bad({ CGML_STORE: "http://127.0.0.1:9000/bucket" }, "CGML_STORE");
  bad({ CGML_STORE: "http://key:secret@127.0.0.1:9000" }, "CGML_STORE");
  bad({ CGML_STORE: "http://127.0.0.1:9000" }, "CGML_S3_ACCESS_KEY: required");
  bad({ CGML_STORE: "http://127.0.0.1:9000", CGML_S3_ACCESS_KEY: "abc" }, "CGML_S3_SECRET_KEY");
  bad({ CGML_BUCKET: "Bad_Bucket" }, "CGML_BUCKET");
  bad({ CGML_API_TOKENS: `${TOKEN_A}:admin` }, "CGML_API_TOKENS: entry 1");
  bad({ CGML_API_TOKENS: "short:read" }, "CGML_API_TOKENS");
  bad({ CGML_WEBHOOK_TOKEN: "two words here!!" }, "CGML_WEBHOOK_TOKEN");
  bad({ PORT: "70000" }, "PORT");
  bad({ PORT: "http" }, "PORT");
  bad({ CGML_HOST: "0.0.0.0" }, "CGML_HOST: 0.0.0.0 is not loopback");
  bad({ CGML_HOST: "a b" }, "CGML_HOST");
});
