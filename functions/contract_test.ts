/**
 * The OpenAPI document and the server agree: what the document calls a valid path, name or
 * method is what the routes accept. Schemathesis checks the same from outside in CI
 * (`.ci/schemathesis`); these run with `deno task test`, without Python.
 */
import { assert, assertEquals } from "../testing/assert.ts";
import { PIPELINE_FILE_NAME, PIPELINE_NAME } from "../pipelines/mod.ts";
import { confineKey, MAX_RELATIVE_PATH, RELATIVE_PATH } from "./keys.ts";
import { STORED_PIPELINE_NAME } from "./pipelines.ts";
import { TOKENS, withApp } from "./_testing.ts";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomString(r: () => number, alphabet: string[], maxLength: number): string {
  const n = Math.floor(r() * (maxLength + 1));
  return Array.from({ length: n }, () => alphabet[Math.floor(r() * alphabet.length)]).join("");
}

Deno.test("the document's relative-path pattern accepts exactly what confineKey accepts", () => {
  const r = rng(7);
  const alphabet = [
    "a",
    "Z",
    "0",
    ".",
    ".",
    "/",
    "/",
    "\\",
    "\u0000",
    "\u001f",
    "\u007f",
    " ",
    "é",
    "😀",
    "-",
    "%",
  ];
  let accepted = 0;
  for (let i = 0; i < 20_000; i++) {
    const path = randomString(r, alphabet, i % 100 === 0 ? 260 : 12);
    const byPattern = RELATIVE_PATH.test(path) && [...path].length <= MAX_RELATIVE_PATH;
    const byServer = !("error" in confineKey("jobs/20260101T000000000Z-00000000/", path));
    assertEquals(byPattern, byServer, JSON.stringify(path));
    if (byServer) accepted++;
  }
  assert(accepted > 1000 && accepted < 19_000, `both outcomes are exercised (${accepted})`);
  const longest = "😀".repeat(MAX_RELATIVE_PATH);
  assert(!("error" in confineKey("datasets/" + "n".repeat(128) + "/", longest)), "fits the key");
});

Deno.test("a storable pipeline name is a valid file name and request name", () => {
  const r = rng(11);
  const alphabet = [..."abz09-_.A"];
  for (let i = 0; i < 20_000; i++) {
    const name = randomString(r, alphabet, i % 50 === 0 ? 70 : 8);
    if (!STORED_PIPELINE_NAME.test(name)) continue;
    assert(PIPELINE_FILE_NAME.test(name) && PIPELINE_NAME.test(name), name);
  }
});

/** A value for each path parameter of the document's paths. */
const SAMPLES: Record<string, string> = {
  id: "20260101T000000000Z-00000000",
  name: "tiny",
  version: "latest",
  path: "report/index.html",
};

/** A model version's files are single names, not paths. */
const MODEL_FILE_SAMPLE = "config.json";

Deno.test("every method the document lacks on a path answers 405 with the declared Allow", async () => {
  await withApp(async (f) => {
    const doc = await (await f.app.request("/openapi.json")).json();
    for (const [template, item] of Object.entries(doc.paths as Record<string, object>)) {
      const path = template.replace(
        /\{(\w+)\}/g,
        (_, p: string) =>
          p === "path" && template.startsWith("/v1/models/") ? MODEL_FILE_SAMPLE : SAMPLES[p],
      );
      const declared = Object.keys(item).map((m) => m.toUpperCase());
      const allow = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].filter((m) =>
        declared.includes(m) || (m === "HEAD" && declared.includes("GET")) || m === "OPTIONS"
      );
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE", "QUERY"]) {
        if (declared.includes(method)) continue;
        const res = await f.call(path, { method });
        await res.body?.cancel();
        assertEquals(
          [res.status, res.headers.get("allow")],
          [405, allow.join(", ")],
          `${method} ${path}`,
        );
      }
    }
  });
});

Deno.test("every error response in the document has the Error body", async () => {
  await withApp(async (f) => {
    const doc = await (await f.app.request("/openapi.json")).json();
    for (
      const [path, item] of Object.entries(
        doc.paths as Record<
          string,
          Record<
            string,
            {
              responses: Record<
                string,
                { content?: Record<string, { schema?: { $ref?: string } }> }
              >;
            }
          >
        >,
      )
    ) {
      for (const [method, op] of Object.entries(item)) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) < 400 || path === "/readyz") continue;
          const ref = response.content?.["application/json"]?.schema?.$ref;
          // An invalid pipeline is the validator's answer, in its own shape.
          const validation = path === "/v1/pipelines/validate" && status === "422";
          const expected = validation ? "Validation" : "Error";
          assertEquals(ref, `#/components/schemas/${expected}`, `${method} ${path} ${status}`);
        }
      }
    }
    const artifact = doc.paths["/v1/jobs/{id}/artifacts/{path}"].get.parameters
      .find((p: { name: string }) => p.name === "path");
    assertEquals(artifact.schema.pattern, RELATIVE_PATH.source);
    assertEquals(artifact.schema.maxLength, MAX_RELATIVE_PATH);
  });
});

Deno.test("methods a route lacks answer 405 with Allow; OPTIONS lists them; unknown paths 404", async () => {
  await withApp(async (f) => {
    const cases: [string, string, string][] = [
      ["PATCH", "/v1/jobs", "GET, HEAD, POST, OPTIONS"],
      ["QUERY", "/v1/jobs", "GET, HEAD, POST, OPTIONS"],
      ["PUT", "/v1/jobs/20260101T000000000Z-00000000", "GET, HEAD, DELETE, OPTIONS"],
      ["GET", "/v1/jobs/x-1/cancel", "POST, OPTIONS"],
      ["DELETE", "/v1/jobs/x-1/artifacts/a/b.txt", "GET, HEAD, OPTIONS"],
      ["GET", "/v1/pipelines/validate", "POST, OPTIONS"],
      ["POST", "/v1/pipelines/tiny", "GET, HEAD, PUT, OPTIONS"],
      ["POST", "/healthz", "GET, HEAD, OPTIONS"],
    ];
    for (const [method, path, allow] of cases) {
      const res = await f.call(path, { method });
      assertEquals([res.status, res.headers.get("allow")], [405, allow], `${method} ${path}`);
      assert((await res.json()).error.startsWith(`Cannot ${method} ${path}`));
      const options = await f.call(path, { method: "OPTIONS" });
      assertEquals([options.status, options.headers.get("allow")], [204, allow], path);
    }
    const missing = await f.call("/v1/nothing", { method: "PATCH" });
    assertEquals([missing.status, missing.headers.get("allow")], [404, null]);
    // fetch() refuses to send TRACE, so it goes over a socket to the served app.
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, f.app.fetch);
    try {
      const head = await rawRequest(server.addr.port, "TRACE /v1/jobs");
      assert(head.startsWith("HTTP/1.1 405"), head);
      assert(/\r\nallow: GET, HEAD, POST, OPTIONS\r\n/i.test(head), head);
    } finally {
      await server.shutdown();
    }
  });
});

/** Sends `line` (method and path) as an HTTP/1.1 request with the write token; the response. */
async function rawRequest(port: number, line: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const request = `${line} HTTP/1.1\r\nhost: 127.0.0.1\r\n` +
      `authorization: Bearer ${TOKENS.write}\r\nconnection: close\r\n\r\n`;
    await conn.write(new TextEncoder().encode(request));
    return await new Response(conn.readable).text();
  } catch (e) {
    conn.close();
    throw e;
  }
}
