import { assert, assertEquals } from "../../testing/assert.ts";
import { FsStore } from "../../infra/mod.ts";
import { compilePipeline, type Plan } from "../../pipelines/mod.ts";
import type { Results } from "../report/mod.ts";
import { runPlan } from "../runner/mod.ts";

const TINY = [
  "dataset.classes=3",
  "dataset.train_per_class=4",
  "dataset.test_per_class=2",
  "dataset.points=256",
  "order=6",
  "backbone.width=8",
  "backbone.epochs=2",
  "backbone.batch=8",
];

async function compile(sets: string[]): Promise<Plan> {
  const file = new URL("../../pipelines/modelnet-zernike.yaml", import.meta.url).pathname;
  const result = compilePipeline({ file, text: await Deno.readTextFile(file), sets });
  if (result.plan === undefined) throw new Error(result.errors.map((e) => e.message).join("\n"));
  return result.plan;
}

Deno.test({
  name: "the ModelNet pipeline runs end to end, reruns from cache, and reruns only downstream",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const store = await FsStore.open(`${dir}/store`);
      const log = () => {};
      const first = await runPlan(await compile(TINY), { store, workDir: dir, log });
      // model.publish@1 is never cached (with an empty name it publishes nothing).
      const cached = (d: { stage: string }) => d.stage !== "publish";
      assert(first.decisions.filter(cached).every((d) => d.action === "MISS"));
      const results = JSON.parse(
        new TextDecoder().decode(await first.artifact("report", "results")),
      ) as Results;
      assertEquals(Object.keys(results.models), ["cgml", "l1", "cvae", "ce", "raw"]);
      for (const m of ["cgml", "l1", "cvae", "ce"]) {
        assert(Number.isFinite(results.models[m].psnr), `${m} psnr`);
        assert(results.models[m].linear_accuracy >= 0, `${m} accuracy`);
      }
      const html = new TextDecoder().decode(await first.artifact("report", "html"));
      assert(html.includes("<h2>3-D reconstructions</h2>") && html.includes("<h2>Notes</h2>"));
      const csv = new TextDecoder().decode(await first.artifact("features.cgml", "features"));
      assertEquals(csv.split("\n")[0].split(",").slice(0, 4), ["id", "split", "label", "f0"]);
      assertEquals(csv.trim().split("\n").length, 1 + 3 * 6);

      const second = await runPlan(await compile(TINY), { store, workDir: dir, log });
      assert(second.decisions.filter(cached).every((d) => d.action === "HIT"));
      assertEquals(second.decisions.find((d) => !cached(d))!.action, "RUN");

      const changed = await runPlan(await compile([...TINY, "corruption.sigma=0.25"]), {
        store,
        workDir: dir,
        log,
      });
      const missed = changed.decisions.filter((d) => d.action !== "HIT").map((d) => d.stage);
      assertEquals(missed, [
        "corrupt",
        "train.cgml",
        "train.l1",
        "train.cvae",
        "train.ce",
        "eval.cgml",
        "eval.l1",
        "eval.cvae",
        "eval.ce",
        "features.cgml",
        "features.l1",
        "features.cvae",
        "features.ce",
        "linear.cgml",
        "linear.l1",
        "linear.cvae",
        "linear.ce",
        "report",
        "publish",
      ]);
      assertEquals(
        changed.decisions.find((d) => d.stage === "corrupt")!.reason,
        "param sigma 0.5 → 0.25",
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
