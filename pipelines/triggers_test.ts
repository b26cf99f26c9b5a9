import { assert, assertEquals } from "../testing/assert.ts";
import { formatDiagnostics } from "./diagnostics.ts";
import { checkPipeline } from "./jobs.ts";
import { parsePipeline } from "./parse.ts";
import { compilePipeline } from "./plan.ts";
import { buildIndex, indexStoredPipeline, matchObject } from "./trigger_match.ts";

async function readmeExample(): Promise<string> {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const at = readme.indexOf("- **Triggers**");
  const start = readme.indexOf("```yaml\n", at) + "```yaml\n".length;
  const block = readme.slice(start, readme.indexOf("  ```", start));
  return block.split("\n").map((line) => line.slice(2)).join("\n");
}

Deno.test("the README's trigger example validates and starts what its comments say", async () => {
  const text = await readmeExample();
  const result = compilePipeline({ file: "README.md", text });
  assert(result.plan !== undefined, formatDiagnostics(result.errors, result.sources));
  const index = buildIndex([indexStoredPipeline("shapes-on-drop", "e", text)]);
  assertEquals(index.prefixes, ["datasets/"]);
  const files = matchObject(index, {
    bucket: "cgml",
    key: "datasets/chairs/a/train/1.off",
    etag: "e",
  });
  assertEquals(files, { kind: "matched", jobs: [] });
  const marker = matchObject(index, { bucket: "cgml", key: "datasets/chairs/_READY", etag: "e" });
  assert(marker.kind === "matched" && marker.jobs.length === 1);
  const { request } = marker.jobs[0];
  assertEquals(request, {
    pipeline: "shapes-on-drop",
    params: { root: "s3://cgml/datasets/chairs/" },
  });
  const checked = checkPipeline("shapes-on-drop.yaml", text, request.params);
  assert("plan" in checked, "error" in checked ? checked.error : "");
  const shapes = checked.plan.stages.find((s) => s.id === "shapes")!;
  assertEquals(shapes.params.root, "s3://cgml/datasets/chairs/");
});

Deno.test("a pipeline without triggers has none; one with triggers still runs by hand on defaults", async () => {
  const text = await readmeExample();
  const stripped = text.replace(/triggers:[^]*?stages:/, "stages:");
  assertEquals(parsePipeline("p.yaml", stripped).pipeline?.triggers, []);
  assertEquals(compilePipeline({ file: "p.yaml", text: stripped }).plan?.stages.length, 3);
  const manual = checkPipeline("p.yaml", text, {});
  assert("plan" in manual);
  assertEquals(manual.plan.params.root, "");
});
