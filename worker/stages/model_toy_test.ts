/**
 * Publishing and inference with the toy pipeline (fs store): publish on a cache HIT when the
 * version is missing, nothing new for equal files, `publish: ""` publishes nothing, and the
 * infer pipeline's artifacts for inline rows and a CSV file.
 */
import { assert, assertEquals, assertRejects } from "../../testing/assert.ts";
import { FsStore, listVersions, MODELS_PREFIX } from "../../infra/mod.ts";
import { compilePipeline, type Plan } from "../../pipelines/mod.ts";
import { decodeSafetensors } from "../nn/mod.ts";
import { runPlan } from "../runner/mod.ts";
import { unpackFiles } from "./formats/mod.ts";

async function compile(name: string, sets: string[]): Promise<Plan> {
  const file = new URL(`../../pipelines/${name}.yaml`, import.meta.url).pathname;
  const result = compilePipeline({ file, text: await Deno.readTextFile(file), sets });
  if (result.plan === undefined) throw new Error(result.errors.map((e) => e.message).join("\n"));
  return result.plan;
}

const TOY = ["epochs=1", "data.pairs=256", "data.truth=50"];
const text = (b: Uint8Array) => new TextDecoder().decode(b);

async function removePrefix(store: FsStore, prefix: string) {
  for (const item of (await store.list(prefix)).items) await store.delete(item.key);
}

Deno.test({
  name: "a toy model is published once per content, also from a rerun restored from the cache",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const store = await FsStore.open(`${dir}/store`);
      const lines: string[] = [];
      const opts = { store, workDir: dir, log: (t: string) => void lines.push(t) };
      const first = await runPlan(
        await compile("toy-multimodal", [...TOY, "publish=curves"]),
        opts,
      );
      const publish = first.decisions.find((d) => d.stage === "publish")!;
      assertEquals(publish.action, "RUN");
      assert(publish.reason.startsWith("publishes to models/"), publish.reason);
      const release = JSON.parse(text(await first.artifact("publish", "release")));
      assertEquals([release.name, release.version, release.created], ["curves", 1, true]);
      const [v1] = (await listVersions(store, "curves")).versions;
      assertEquals(v1.kind, "toy");
      assertEquals(v1.source.pipeline, "toy-multimodal");
      assertEquals(v1.source.run, first.id);
      const config = JSON.parse(text((await store.get("models/curves/1/config.json")).body));
      assertEquals(config.inference, { k: 8, steps: 20, momentum: true });
      assertEquals(config.input, { kind: "rows", x: ["x"], y: ["y1", "y2", "y3"] });
      assertEquals(config.latent_dim, 8);
      const metrics = JSON.parse(text((await store.get("models/curves/1/metrics.json")).body));
      assert(metrics.evaluation.predictors.cgml !== undefined);

      lines.length = 0;
      const again = await runPlan(
        await compile("toy-multimodal", [...TOY, "publish=curves"]),
        opts,
      );
      assertEquals(again.decisions.filter((d) => d.action !== "HIT").map((d) => d.stage), [
        "publish",
      ]);
      assert(lines.join("").includes("already published (same files) as curves@1"));
      assertEquals((await listVersions(store, "curves")).versions.length, 1);

      // The version is gone: the rerun, every training stage a HIT, publishes it again.
      await removePrefix(store, `${MODELS_PREFIX}curves/`);
      const restored = await runPlan(
        await compile("toy-multimodal", [...TOY, "publish=curves"]),
        opts,
      );
      assertEquals(restored.decisions.find((d) => d.stage === "cgml")!.action, "HIT");
      const back = JSON.parse(text(await restored.artifact("publish", "release")));
      assertEquals([back.version, back.created], [1, true]);

      const none = await runPlan(await compile("toy-multimodal", TOY), opts);
      assertEquals(JSON.parse(text(await none.artifact("publish", "release"))).published, false);
      assertEquals(
        (await store.list(MODELS_PREFIX)).items.every((i) => i.key.includes("curves")),
        true,
      );

      // Inference on inline rows: inputs × k rows with x and y columns.
      const infer = await runPlan(
        await compile("infer", ["model=curves@latest", "inputs=[[0.5], [-0.25], [0]]", "k=4"]),
        opts,
      );
      assertEquals(infer.decisions.map((d) => d.action), ["RUN", "RUN"]);
      const csv = text(await infer.artifact("infer", "predictions")).trim().split("\n");
      assertEquals(csv[0], "input,draw,mode,x,y1,y2,y3");
      assertEquals(csv.length, 1 + 3 * 4);
      assertEquals(csv.slice(1).map((r) => r.split(",")[0]), [
        ..."1111",
        ..."2222",
        ..."3333",
      ]);
      const modes = JSON.parse(text(await infer.artifact("infer", "modes")));
      assertEquals(modes.inputs.length, 3);
      for (const m of modes.inputs) {
        assertEquals(m.sizes.reduce((a: number, b: number) => a + b), 4);
      }
      const samples = decodeSafetensors(await infer.artifact("infer", "samples"));
      assertEquals(samples.tensors.get("samples")!.shape, [3, 4, 3]);
      assertEquals(JSON.parse(samples.metadata.inputs), ["1", "2", "3"]);
      assertEquals(unpackFiles(await infer.artifact("infer", "reconstructions")).size, 0);

      // From a CSV file: one row per data row, named by row number; extra columns ignored.
      await Deno.writeTextFile(`${dir}/rows.csv`, "y1,x\n9,0.1\n9,0.2\n");
      const fromFile = await runPlan(
        await compile("infer", ["model=curves", `dataset=${dir}/rows.csv`, "k=2"]),
        opts,
      );
      const rows = text(await fromFile.artifact("infer", "predictions")).trim().split("\n");
      assertEquals(rows.length, 1 + 2 * 2);
      assert(rows[1].startsWith("1,0,") && rows[3].startsWith("2,0,"), rows.join("\n"));

      await assertRejects(
        () => runPlan(compileSync("infer", ["model=curves@7", "inputs=[[0]]"]), opts),
        Error,
        'Cannot find version 7 of model "curves": its versions are 1',
      );
      await assertRejects(
        () => runPlan(compileSync("infer", ["model=curves", "inputs=[[0, 1]]"]), opts),
        Error,
        "Cannot read inputs[0]: expected 1 numbers (x)",
      );
      await assertRejects(
        () => runPlan(compileSync("infer", ["model=curves", `dataset=${dir}/missing`]), opts),
        Error,
        "Cannot read dataset",
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

function compileSync(name: string, sets: string[]): Plan {
  const file = new URL(`../../pipelines/${name}.yaml`, import.meta.url).pathname;
  const result = compilePipeline({ file, text: Deno.readTextFileSync(file), sets });
  if (result.plan === undefined) throw new Error(result.errors.map((e) => e.message).join("\n"));
  return result.plan;
}
