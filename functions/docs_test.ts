import { assert, assertEquals } from "../testing/assert.ts";
import { exampleOf, renderApiDocs } from "./docs.ts";
import { withApp } from "./_testing.ts";

Deno.test("/docs renders every route with parameters, bodies, responses and schemas, offline", async () => {
  await withApp(async (f) => {
    const res = await f.app.request("/docs");
    assertEquals(res.status, 200);
    const html = await res.text();
    const doc = await (await f.app.request("/openapi.json")).json();
    for (const [path, item] of Object.entries(doc.paths as Record<string, object>)) {
      for (const method of Object.keys(item)) {
        assert(html.includes(`id="${method}-${path.replace(/[^A-Za-z0-9]+/g, "-")}"`), path);
      }
    }
    assert(html.includes("<h4>Parameters</h4>"), "path parameters are listed");
    assert(html.includes(`id="schema-Job"`), "the Job schema is shown");
    assert(html.includes("&#34;pipeline&#34;: &#34;toy-multimodal&#34;"), "the job example body");
    assert(!/<script|<link|https?:\/\/(?!127)/.test(html), "no script, stylesheet or CDN");
  });
});

Deno.test("examples come from the schema's example, default, enum or its fields", () => {
  assertEquals(
    exampleOf({
      type: "object",
      properties: {
        n: { type: "integer", minimum: 1 },
        mode: { enum: ["a", "b"] },
        tags: { type: "array", items: { type: "string" } },
        given: { type: "number", example: 0.5 },
      },
    }),
    { n: 1, mode: "a", tags: ["string"], given: 0.5 },
  );
});

Deno.test("names and summaries are escaped", () => {
  const html = renderApiDocs({
    info: { title: "<T>" },
    paths: { "/x": { get: { summary: "a <b> & c" } } },
  });
  assert(html.includes("&#60;T&#62;") && html.includes("a &#60;b&#62; &#38; c"), html);
});

Deno.test("/docs shows cancel and delete, key patterns, excluded names and JSON event data", async () => {
  await withApp(async (f) => {
    const html = await (await f.app.request("/docs")).text();
    assert(html.includes(`id="post--v1-jobs-id-cancel"`), "the cancel route");
    assert(html.includes(`id="delete--v1-jobs-id-"`), "the delete route");
    assert(html.includes("{[key /^[a-z][a-z0-9_]*$/]: any}"), "param names' pattern");
    assert(html.includes("not &#34;validate&#34;"), "the reserved pipeline name");
    assert(html.includes("string (application/json)"), "JSON carried in SSE data");
    assert(html.includes("405 with <code>Allow</code>"), "the 405 rule");
  });
});
