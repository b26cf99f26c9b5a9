/**
 * `deno task cgml run … --seeds`: one run per seed into DIR/seed-N/ sharing the stage cache, the
 * mean ± std of their results.json and the claims in DIR/results.json, the table printed; on
 * colour-mode colorization, so the colour-mode results are checked on the way.
 */
import { assert, assertAlmostEquals, assertEquals } from "../testing/assert.ts";
import { FsStore } from "../infra/mod.ts";
import { type CliIo, COMMANDS, main } from "../pipelines/mod.ts";
import { runCommand } from "./cli.ts";
import type { ImageResults, SeedResults } from "./report/mod.ts";

const COLORIZE = new URL("../pipelines/colorize.yaml", import.meta.url).pathname;
const TINY = [
  "dataset.generator=colour_modes",
  "dataset.generated=20",
  "dataset.size=16",
  "backbone.epochs=1",
  "backbone.depth=2",
  "backbone.width=8",
  "k=3",
].flatMap((s) => ["--set", s]);

async function cli(dir: string, argv: string[]) {
  const store = await FsStore.open(`${dir}/store`);
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    readTextFile: (path) => Deno.readTextFile(path),
  };
  const run = runCommand(() => Promise.resolve(store), `${dir}/work`);
  const code = await main(argv, { commands: { ...COMMANDS, run }, io, store });
  return { code, out: out.join(""), err: err.join("") };
}

const readJson = async <T>(path: string) => JSON.parse(await Deno.readTextFile(path)) as T;

Deno.test({
  name: "run --seeds runs once per seed into seed-N/, shares the cache and reports mean ± std",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "cgml-seeds-" });
    try {
      const argv = ["run", COLORIZE, ...TINY, "--seeds", "0,1", "--out", `${dir}/out`];
      const first = await cli(dir, argv);
      assertEquals(first.code, 0, first.err);
      const perSeed = await Promise.all(
        [0, 1].map((s) => readJson<ImageResults>(`${dir}/out/seed-${s}/results.json`)),
      );
      for (const results of perSeed) {
        assertEquals(Object.keys(results).sort(), ["cgml", "cgml-no-move", "cgml-no-rho", "l1"]);
        for (const model of Object.values(results)) {
          const modes = model.colour_modes as unknown as Record<string, Record<string, number>>;
          assertEquals(Object.keys(modes).sort(), ["disc", "square", "triangle"]);
          if (Number.isFinite(modes.disc.red)) {
            assertEquals(Object.keys(modes.disc), ["red", "blue", "between", "all_modes"]);
            assertAlmostEquals(modes.disc.red + modes.disc.blue + modes.disc.between, 1, 1e-9);
          }
        }
        const disc = (results.l1.colour_modes as unknown as Record<string, Record<string, number>>)
          .disc;
        if (Number.isFinite(disc.all_modes)) {
          assertEquals(disc.all_modes, 0, "one output per input cannot reach two hues");
        }
      }
      assert(perSeed[0].cgml.colour.psnr !== perSeed[1].cgml.colour.psnr, "the seeds differ");
      const agg = await readJson<SeedResults>(`${dir}/out/results.json`);
      assertEquals([agg.pipeline, agg.seeds], ["colorize", [0, 1]]);
      assertEquals(agg.runs, { "0": "seed-0/results.json", "1": "seed-1/results.json" });
      const psnr = (agg.results.cgml as Record<string, Record<string, unknown>>).colour.psnr as {
        mean: number;
        std: number;
        n: number;
        values: number[];
      };
      const values = perSeed.map((r) => r.cgml.colour.psnr);
      assertEquals([psnr.n, psnr.values], [2, values]);
      assertAlmostEquals(psnr.mean, (values[0] + values[1]) / 2, 1e-9);
      assertAlmostEquals(psnr.std, Math.abs(values[0] - values[1]) / Math.SQRT2, 1e-9);
      const ids = agg.claims.map((c) => c.id);
      assertEquals(ids, ["colour-modes-disc", "colour-modes-square", "colorization-psnr"]);
      assert(agg.claims.every((c) => c.verdict !== "untested" && c.seeds <= 2), first.out);
      assert(first.out.includes("± "), first.out);
      assert(/^cgml colour\s/m.test(first.out) && first.out.includes("claims:"), first.out);
      const page = await Deno.readTextFile(`${dir}/out/report.html`);
      assert(page.includes("<h2>Claims</h2>") && page.includes('href="seed-1/report.html"'));
      const seedPage = await Deno.readTextFile(`${dir}/out/seed-0/report.html`);
      assert(seedPage.includes("<h2>Claims</h2>") && seedPage.includes("<h2>Colour modes</h2>"));

      const again = await cli(dir, argv);
      assertEquals(again.code, 0, again.err);
      assertEquals(again.out.match(/stages from cache/g)?.length, 2, again.out);
      // Every stage but `model.publish@1`, which is never cached, is restored.
      assert(/seed 0: run \S+: 9\/10 stages from cache/.test(again.out), again.out);
      assert(/seed 1: run \S+: 9\/10 stages from cache/.test(again.out), again.out);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("run --seeds refuses a pipeline without a seed param, --set seed and --resume", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cgml-seeds-" });
  try {
    const file = `${dir}/noseed.yaml`;
    await Deno.writeTextFile(
      file,
      "version: 1\nname: noseed\nstages:\n  data:\n    uses: toy.data@1\n",
    );
    const noSeed = await cli(dir, ["run", file, "--seeds", "0,1"]);
    assertEquals(noSeed.code, 1);
    assertEquals(noSeed.err, 'Cannot use --seeds: pipeline "noseed" has no seed param\n');
    const set = await cli(dir, ["run", COLORIZE, "--set", "seed=2", "--seeds", "0"]);
    assertEquals(set.code, 1);
    assert(set.err.includes("leave out --set seed="), set.err);
    const resume = await cli(dir, ["run", COLORIZE, "--resume", "r_1", "--seeds", "0"]);
    assertEquals(resume.code, 1);
    assert(resume.err.startsWith("Cannot use --seeds: resume one seed's run"), resume.err);
    assertEquals(await exists(`${dir}/work`), false, "nothing ran");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
