/**
 * A published map model (fs store, tiny `modelnet-zernike` with `publish`): its config rebuilds
 * it, inference on a local ModelNet folder gives inputs × k rows with the probe's classes and
 * reconstructions of the first inputs, and `modelnet-transfer` (paper Table 4 protocol) trains
 * the same probe on another dataset's features of H and reports accuracy and confusion.
 */
import { assert, assertEquals } from "../../testing/assert.ts";
import { FsStore, listVersions, publishModel } from "../../infra/mod.ts";
import { compilePipeline, type Plan } from "../../pipelines/mod.ts";
import { syntheticMeshes } from "../data/mod.ts";
import type { Results } from "../report/mod.ts";
import { runPlan } from "../runner/mod.ts";
import { unpackFiles } from "./formats/mod.ts";

async function compile(name: string, sets: string[]): Promise<Plan> {
  const file = new URL(`../../pipelines/${name}.yaml`, import.meta.url).pathname;
  const result = compilePipeline({ file, text: await Deno.readTextFile(file), sets });
  if (result.plan === undefined) throw new Error(result.errors.map((e) => e.message).join("\n"));
  return result.plan;
}

const DATA = [
  "dataset.classes=2",
  "dataset.train_per_class=4",
  "dataset.test_per_class=2",
  "dataset.points=256",
];
const TINY = [...DATA, "order=6", "backbone.width=8", "backbone.epochs=1", "backbone.batch=8"];
const PROBE = ["probe.l2=[0.01]", "probe.epochs=20"];
const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test({
  name: "a published map model infers on a folder with its probe, and transfers to other data",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "cgml-model-map-" });
    try {
      const store = await FsStore.open(`${dir}/store`);
      const opts = { store, workDir: `${dir}/work`, log: () => {} };
      await runPlan(await compile("modelnet-zernike", [...TINY, ...PROBE, "publish=shapes"]), opts);
      const config = JSON.parse(text((await store.get("models/shapes/1/config.json")).body));
      assertEquals(config.kind, "map");
      assertEquals(config.features, { pool: "pyramid" });
      assertEquals(config.input.points, 256);
      assertEquals(config.input.mean.length, config.input.height * config.input.width);
      assertEquals(config.network.latentDim, config.latent_dim);

      const meshes = syntheticMeshes({
        classes: 2,
        trainPerClass: 1,
        testPerClass: 3,
        seed: 9,
        noise: 0.01,
        anisotropy: 0,
        dropParts: 0,
      });
      for (const [path, mesh] of meshes) {
        await Deno.mkdir(`${dir}/shapes/${path.slice(0, path.lastIndexOf("/"))}`, {
          recursive: true,
        });
        await Deno.writeTextFile(`${dir}/shapes/${path}`, mesh);
      }
      const infer = await runPlan(
        await compile("infer", ["model=shapes", `dataset=${dir}/shapes`, "k=4", "show=2"]),
        opts,
      );
      const csv = text(await infer.artifact("infer", "predictions")).trim().split("\n");
      assertEquals(csv[0], "input,draw,mode,change,class,score");
      assertEquals(csv.length, 1 + 6 * 4);
      for (const row of csv.slice(1)) {
        const [input, draw, mode, change, cls, score] = row.split(",");
        assert(input.includes("/test/") && Number(draw) < 4 && Number(mode) < 4, row);
        assert(Number(change) >= 0 && Number(score) > 0 && Number(score) <= 1, row);
        assert(config.probe.classes.includes(cls), row);
      }
      const files = unpackFiles(await infer.artifact("infer", "reconstructions"));
      assertEquals(files.size, 2 * (1 + 4 + 2), [...files.keys()].join(" "));
      assert(text(files.get("input-1/draw-3.ply")!).startsWith("ply\n"));
      const html = text(await infer.artifact("infer", "report"));
      assert(html.includes("Inference: shapes@1") && html.includes("data:image/png;base64,"));

      const transfer = await runPlan(
        await compile("modelnet-transfer", ["model=shapes@latest", ...DATA, ...PROBE]),
        opts,
      );
      const results = JSON.parse(text(await transfer.artifact("report", "results"))) as Results;
      assert(results.models.transfer.linear_accuracy >= 0, JSON.stringify(results));
      const metrics = JSON.parse(text(await transfer.artifact("linear", "metrics")));
      assertEquals(metrics.test, 4);
      assertEquals(metrics.confusion.length, 2);
      const report = text(await transfer.artifact("report", "html"));
      assert(report.includes("Transfer of shapes@latest"), "title");
      const features = text(await transfer.artifact("features", "features")).split("\n")[0];
      assert(features.startsWith("id,split,label,f0"), features);

      // The same version again: the features are a HIT. A new version moves `latest`, and the
      // features (keyed by the loaded bundle, which names the version) run again.
      const transferAgain = async () =>
        await runPlan(
          await compile("modelnet-transfer", ["model=shapes@latest", ...DATA, ...PROBE]),
          opts,
        );
      const features1 = (await transferAgain()).decisions.find((d) => d.stage === "features")!;
      assertEquals(features1.action, "HIT");
      const [v1] = (await listVersions(store, "shapes")).versions;
      const v2files = new Map<string, Uint8Array>();
      for (const f of v1.files) {
        v2files.set(f.path, (await store.get(`models/shapes/1/${f.path}`)).body);
      }
      v2files.set("metrics.json", new TextEncoder().encode("{}"));
      await publishModel(store, {
        name: "shapes",
        files: v2files,
        kind: "map",
        method: "cgml",
        source: { pipeline: "test", run: "r" },
      });
      const features2 = (await transferAgain()).decisions.find((d) => d.stage === "features")!;
      assertEquals([features2.action, features2.reason], ["MISS", 'upstream "model" changed']);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
