import { assertEquals, assertThrows } from "../testing/assert.ts";
import { ConfigError, loadConfig } from "./config.ts";

const TOKEN_A = "a".repeat(16);
const TOKEN_B = "B-token.0123456789";

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
  });
});

Deno.test("config reads a MinIO store, tokens, webhook token and port", () => {
  const config = loadConfig({
    CGML_STORE: "http://127.0.0.1:9000",
    CGML_BUCKET: "jobs-1",
    CGML_S3_ACCESS_KEY: "minioadmin",
    CGML_S3_SECRET_KEY: "minioadmin",
    CGML_API_TOKENS: `${TOKEN_A}:read, ${TOKEN_B}:write,`,
    CGML_WEBHOOK_TOKEN: TOKEN_B,
    PORT: "0",
  });
  assertEquals(config.store.kind, "minio");
  assertEquals(config.store.bucket, "jobs-1");
  assertEquals(config.apiTokens, [
    { token: TOKEN_A, scope: "read" },
    { token: TOKEN_B, scope: "write" },
  ]);
  assertEquals([config.webhookToken, config.port], [TOKEN_B, 0]);
});

Deno.test("config errors name the variable", () => {
  const bad = (env: Record<string, string>, variable: string) =>
    assertThrows(() => loadConfig(env), ConfigError, variable);
  bad({ CGML_STORE: "s3://bucket" }, "CGML_STORE: must be file:///absolute/path");
  bad({ CGML_STORE: "file://relative/path" }, "CGML_STORE");
  bad({ CGML_STORE: "http://127.0.0.1:9000/bucket" }, "CGML_STORE");
  bad({ CGML_STORE: "http://127.0.0.1:9000" }, "CGML_S3_ACCESS_KEY: required");
  bad({ CGML_STORE: "http://127.0.0.1:9000", CGML_S3_ACCESS_KEY: "abc" }, "CGML_S3_SECRET_KEY");
  bad({ CGML_BUCKET: "Bad_Bucket" }, "CGML_BUCKET");
  bad({ CGML_API_TOKENS: `${TOKEN_A}:admin` }, "CGML_API_TOKENS: entry 1");
  bad({ CGML_API_TOKENS: "short:read" }, "CGML_API_TOKENS");
  bad({ CGML_WEBHOOK_TOKEN: "two words here!!" }, "CGML_WEBHOOK_TOKEN");
  bad({ PORT: "70000" }, "PORT");
  bad({ PORT: "http" }, "PORT");
});
