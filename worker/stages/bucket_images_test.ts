import { assert, assertEquals } from "../../testing/assert.ts";
import { withFsStore } from "../../infra/datasets/_testing.ts";
import { compilePipeline, type Plan } from "../../pipelines/mod.ts";
import { encodeRgbPng, generateColorImages } from "../data/mod.ts";
import { runPlan } from "../runner/mod.ts";
import { decodeImageSet, decodeJson } from "./formats/mod.ts";

const PIPELINE = `
version: 1
name: bucket-images
params:
  root: { type: string, default: "" }
stages:
  images:
    uses: dataset.images@1
    with: { root: "\${{ params.root }}", size: 8, test_fraction: 0.5 }
`;

function compile(root: string): Plan {
  const result = compilePipeline({
    file: "bucket-images.yaml",
    text: PIPELINE,
    sets: [`root=${root}`],
  });
  if (result.plan === undefined) throw new Error(result.errors.map((e) => e.message).join("\n"));
  return result.plan;
}

Deno.test("dataset.images reads the images of a bucket dataset; bad files are skipped", async () => {
  await withFsStore(async (store) => {
    const pixels = generateColorImages(3, 12, 0);
    const png = (i: number) =>
      encodeRgbPng({ width: 12, height: 12, data: pixels.subarray(i * 432, (i + 1) * 432) });
    const prefix = "datasets/pics/";
    await store.put(`${prefix}a/one.png`, png(0));
    await store.put(`${prefix}a/two.png`, png(1));
    await store.put(`${prefix}b/three.png`, png(2));
    await store.put(`${prefix}b/broken.png`, "not a png");
    await store.put(`${prefix}notes.txt`, "not an image");
    const dir = await Deno.makeTempDir({ prefix: "cgml-bucket-images-" });
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (line: string) => warnings.push(line);
    try {
      const run = await runPlan(compile(`s3://cgml/${prefix}`), {
        store,
        workDir: dir,
        datasets: { bucket: "cgml", cacheDir: `${dir}/objects` },
        log: () => {},
      });
      const set = decodeImageSet(await run.artifact("images", "images"));
      assertEquals(set.ids, ["a/one.png", "a/two.png", "b/three.png"]);
      assertEquals([set.count, set.height, [...set.split].sort()], [3, 8, [0, 1, 1]]);
      assert(warnings.some((w) => w.includes("skipping b/broken.png")), warnings.join("\n"));
      const manifest = decodeJson<{ source: string; entries: { key: string }[] }>(
        await run.artifact("images", "manifest"),
      );
      assertEquals(manifest.source, "listing");
      assertEquals(manifest.entries.map((e) => e.key), [
        `${prefix}a/one.png`,
        `${prefix}a/two.png`,
        `${prefix}b/broken.png`,
        `${prefix}b/three.png`,
        `${prefix}notes.txt`,
      ]);
    } finally {
      console.warn = warn;
      await Deno.remove(dir, { recursive: true });
    }
  });
});
