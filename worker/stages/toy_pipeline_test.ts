import { assert, assertEquals } from "../../testing/assert.ts";
import { FsStore } from "../../infra/mod.ts";
import { compilePipeline } from "../../pipelines/mod.ts";
import { runPlan } from "../runner/mod.ts";

Deno.test({
  name: "the toy pipeline trains cGML and L1 and evaluates the four predictors",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const file = new URL("../../pipelines/toy-multimodal.yaml", import.meta.url).pathname;
      const sets = ["epochs=1", "data.pairs=256", "data.truth=50"];
      const result = compilePipeline({ file, text: await Deno.readTextFile(file), sets });
      if (result.plan === undefined) throw new Error(result.errors[0].message);
      const store = await FsStore.open(`${dir}/store`);
      const run = await runPlan(result.plan, { store, workDir: dir, log: () => {} });
      const metrics = JSON.parse(
        new TextDecoder().decode(await run.artifact("evaluate", "metrics")),
      ) as { predictors: Record<string, { phantom: number; coverage: Record<string, number> }> };
      assertEquals(Object.keys(metrics.predictors), ["cgml", "cgml-no-rho", "no-move", "l1"]);
      for (const m of Object.values(metrics.predictors)) {
        assert(m.phantom >= 0 && m.phantom <= 1);
        assertEquals(Object.keys(m.coverage).length, 2);
      }
      const svg = new TextDecoder().decode(await run.artifact("evaluate", "figure"));
      assert(svg.startsWith("<svg"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
