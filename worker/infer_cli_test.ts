/** `cgml infer` on a published toy model: from a model folder and from `s3://` in the store. */
import { assert, assertEquals } from "../testing/assert.ts";
import { FsStore } from "../infra/mod.ts";
import { compilePipeline } from "../pipelines/mod.ts";
import { inferCommand } from "./infer_cli.ts";
import { runPlan } from "./runner/mod.ts";

Deno.test({
  name: "cgml infer writes predictions, samples, modes and the report for a model folder or s3://",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "cgml-infer-cli-" });
    try {
      const store = await FsStore.open(`${dir}/store`);
      const file = new URL("../pipelines/toy-multimodal.yaml", import.meta.url).pathname;
      const sets = ["epochs=1", "data.pairs=256", "data.truth=50", "publish=curves"];
      const plan = compilePipeline({ file, text: await Deno.readTextFile(file), sets }).plan!;
      await runPlan(plan, { store, workDir: `${dir}/work`, log: () => {} });
      await Deno.mkdir(`${dir}/model`);
      for (const name of ["config.json", "model.safetensors"]) {
        await Deno.writeFile(
          `${dir}/model/${name}`,
          (await store.get(`models/curves/1/${name}`)).body,
        );
      }
      await Deno.writeTextFile(`${dir}/rows.csv`, "x\n0.5\n-0.5\n0\n");
      const out: string[] = [];
      const err: string[] = [];
      const ctx = {
        store: () => Promise.resolve(store),
        bucket: "cgml",
        objectCache: `${dir}/objects`,
        stdout: (t: string) => void out.push(t),
        stderr: (t: string) => void err.push(t),
      };
      for (
        const model of [`${dir}/model`, "s3://cgml/models/curves/1", "s3://cgml/models/curves"]
      ) {
        const target = `${dir}/out-${out.length}`;
        const code = await inferCommand(
          ["--model", model, "--input", `${dir}/rows.csv`, "--k", "3", `--out=${target}`],
          ctx,
        );
        assertEquals(code, 0, err.join(""));
        const csv = (await Deno.readTextFile(`${target}/predictions.csv`)).trim().split("\n");
        assertEquals(csv[0], "input,draw,mode,x,y1,y2,y3");
        assertEquals(csv.length, 1 + 3 * 3);
        const modes = JSON.parse(await Deno.readTextFile(`${target}/modes.json`));
        assertEquals(modes.inputs.map((i: { input: string }) => i.input), ["1", "2", "3"]);
        assert((await Deno.readTextFile(`${target}/report.html`)).includes("Modes per input"));
        assert((await Deno.stat(`${target}/samples.safetensors`)).size > 0);
      }
      assert(out.at(-1)!.includes("3 inputs × 3 draws (T = 20)"), out.join(""));

      assertEquals(await inferCommand(["--model", `${dir}/model`], ctx), 2);
      assert(err.at(-1)!.includes("Usage: cgml infer"));
      const wrong = await inferCommand(
        ["--model", "s3://other/models/curves/1", "--input", `${dir}/rows.csv`],
        ctx,
      );
      assertEquals(wrong, 1);
      assert(err.at(-1)!.includes('the configured bucket "cgml"'), err.at(-1));
      assertEquals(await inferCommand(["--model", "m", "--input", "i", "--k", "0"], ctx), 2);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
