import { assert, assertEquals } from "../../testing/assert.ts";
import { FsStore } from "../../infra/mod.ts";
import { compilePipeline, fingerprintPath, type Plan } from "../../pipelines/mod.ts";
import { encodeRgbPng, generateColorImages } from "../data/mod.ts";
import type { ImageMetrics } from "../eval/mod.ts";
import type { ImageResults } from "../report/mod.ts";
import { runPlan } from "../runner/mod.ts";
import { decodeImageSet } from "./formats/mod.ts";

async function compile(name: string, sets: string[]): Promise<Plan> {
  const file = new URL(`../../pipelines/${name}`, import.meta.url).pathname;
  const result = compilePipeline({ file, text: await Deno.readTextFile(file), sets });
  if (result.plan === undefined) throw new Error(result.errors.map((e) => e.message).join("\n"));
  return result.plan;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test({
  name: "mnist-completion runs every model at every box rate; results are keyed by model and rate",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const store = await FsStore.open(`${dir}/store`);
      const sets = [
        "data.train=48",
        "data.test=8",
        "backbone.epochs=1",
        "backbone.batch=16",
        "backbone.width=8",
        "k=4",
      ];
      const run = await runPlan(await compile("mnist-completion.yaml", sets), {
        store,
        workDir: dir,
        log: () => {},
      });
      const results = JSON.parse(text(await run.artifact("report", "results"))) as ImageResults;
      assertEquals(Object.keys(results).sort(), ["ce", "cgml", "cgml-no-rho", "l1"]);
      for (const model of Object.values(results)) {
        assertEquals(Object.keys(model).sort(), ["p0.1", "p0.2", "p0.3", "p0.4"]);
        for (const r of Object.values(model)) {
          assert(Math.abs(r.box + r.no_box + r.between - 1) < 1e-9, "the shares add up");
          assert(Number.isFinite(r.psnr) && r.ssim <= 1);
        }
      }
      for (const r of [...Object.values(results.l1), ...Object.values(results.ce)]) {
        assert(Math.abs(r.psnr_best - r.psnr) < 1e-9, "one output per input: best of k = mean");
      }
      const cgml = results.cgml["p0.3"];
      assert(cgml.psnr_best >= cgml.psnr - 1e-9, "the best draw is no worse than all draws");
      const m = JSON.parse(text(await run.artifact("eval.cgml.p03", "metrics"))) as ImageMetrics;
      assertEquals([m.model, m.task, m.condition, m.draws, m.inputs], [
        "cgml",
        "completion",
        "p0.3",
        4,
        8,
      ]);
      assertEquals(m.modes!.samples, 32);
      const png = await run.artifact("eval.l1.p01", "grid");
      assertEquals([...png.subarray(1, 4)], [80, 78, 71]);
      const html = text(await run.artifact("report", "html"));
      assert(html.includes("data:image/png;base64,") && html.includes("<svg"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "colorize runs on a folder given on the command line, skipping a broken image",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const photos = `${dir}/photos/nested`;
      await Deno.mkdir(photos, { recursive: true });
      const size = 24;
      const pixels = generateColorImages(10, size, 5);
      for (let i = 0; i < 10; i++) {
        const data = pixels.slice(i * size * size * 3, (i + 1) * size * size * 3);
        await Deno.writeFile(
          `${photos}/img${i}.png`,
          encodeRgbPng({ width: size, height: size, data }),
        );
      }
      await Deno.writeFile(`${photos}/broken.jpg`, new Uint8Array([0xff, 0xd8, 0xff, 1, 2]));
      const warnings: string[] = [];
      const warn = console.warn;
      console.warn = (line: string) => warnings.push(line);
      const store = await FsStore.open(`${dir}/store`);
      let run;
      try {
        run = await runPlan(
          await compile("colorize.yaml", [
            `dataset.root=${dir}/photos`,
            "dataset.size=16",
            "backbone.epochs=1",
            "backbone.depth=2",
            "backbone.width=8",
            "k=3",
          ]),
          { store, workDir: dir, log: () => {}, fingerprint: fingerprintPath },
        );
      } finally {
        console.warn = warn;
      }
      assert(warnings.some((w) => w.includes("broken.jpg")), warnings.join("\n"));
      const set = decodeImageSet(await run.artifact("images", "images"));
      assertEquals([set.count, set.height, set.channels], [10, 16, 3]);
      assertEquals(set.split.reduce((s, v) => s + v, 0), 2);
      const results = JSON.parse(text(await run.artifact("report", "results"))) as ImageResults;
      assertEquals(Object.keys(results).sort(), ["cgml", "cgml-no-move", "cgml-no-rho", "l1"]);
      assert(Number.isFinite(results.cgml.colour.psnr) && results.cgml.colour.ssim < 1);
      const m = JSON.parse(text(await run.artifact("eval.cgml", "metrics"))) as ImageMetrics;
      assertEquals([m.task, m.condition, m.modes], ["colorization", "colour", undefined]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
