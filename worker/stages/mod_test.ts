import { assertEquals, assertRejects } from "../../testing/assert.ts";
import { FsStore, MODEL_NAME } from "../../infra/mod.ts";
import { CATALOG, MODEL_NAME_PATTERN, toyData } from "../../pipelines/mod.ts";
import { STAGES } from "./mod.ts";
import { implement, type StageContext } from "./stage.ts";

Deno.test("every catalog stage type has exactly one implementation, keyed by name@version", () => {
  assertEquals(Object.keys(STAGES).sort(), [...CATALOG.keys()].sort());
});

Deno.test("the catalog's model name pattern is the one infra/models checks", () => {
  assertEquals(MODEL_NAME_PATTERN.source, MODEL_NAME.source);
});

Deno.test("a stage's params are parsed with its catalog schema before it runs", async () => {
  const dir = await Deno.makeTempDir();
  const store = await FsStore.open(dir);
  const seen: unknown[] = [];
  const stage = implement(toyData, (_ctx, p) => {
    seen.push(p);
    return Promise.resolve({});
  });
  const ctx = (params: Record<string, unknown>): StageContext => ({
    id: "data",
    params,
    inputs: [],
    input: () => Promise.reject(new Error("no inputs")),
    gpu: () => Promise.reject(new Error("no gpu")),
    progress: () => {},
    checkpoint: "",
    planned: {},
    env: {
      run: { id: "r", pipeline: "p" },
      store,
      bucket: "cgml",
      objectCache: dir,
      log: () => {},
    },
  });
  assertEquals(stage.id, "toy.data@1");
  await stage.run(ctx({ pairs: 10 }));
  assertEquals(seen, [{ csv: "", pairs: 10, truth: 2000, seed: 0 }]);
  await assertRejects(
    () => stage.run(ctx({ pairs: "ten" })),
    Error,
    'Cannot run stage "data" (toy.data@1): param "pairs"',
  );
  await Deno.remove(dir, { recursive: true });
});
