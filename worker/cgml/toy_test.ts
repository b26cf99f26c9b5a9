import { assert, assertEquals } from "../../testing/assert.ts";
import { gpuTest } from "../gpu/_testing.ts";
import { threeModesCsv } from "../data/testdata/make_three_modes.ts";
import { runToyExperiment } from "./toy.ts";

gpuTest("toy (small budget): phantom fraction orders cGML < no move < L1", async (gpu) => {
  const { report, svg } = await runToyExperiment(gpu, { seed: 1, epochs: 2, inputs: 128 });
  const p = report.predictors;
  const phantom = [p.cgml.phantom, p["no-move"].phantom, p.l1.phantom];
  assert(phantom[0] < phantom[1] && phantom[1] < phantom[2], `phantom cGML/no-move/L1 ${phantom}`);
  assertEquals(Object.keys(p).sort(), ["cgml", "cgml-no-rho", "l1", "no-move"]);
  assertEquals(report.data.kind, "fresh");
  assert(svg.startsWith("<svg") && svg.includes("cGML w/o ρ"), "figure");
});

gpuTest(
  "toy on a CSV: labelled modes, or modes found by clustering without labels",
  async (gpu) => {
    const dir = await Deno.makeTempDir();
    try {
      const text = threeModesCsv(7, 600);
      const unlabelled = text.split("\n").map((l) => l.split(",").slice(0, 4).join(",")).join("\n");
      await Deno.writeTextFile(`${dir}/labelled.csv`, text);
      await Deno.writeTextFile(`${dir}/unlabelled.csv`, unlabelled);
      const a = await runToyExperiment(gpu, { csv: `${dir}/labelled.csv`, epochs: 1, inputs: 32 });
      assertEquals([a.report.data.kind, a.report.data.modesFrom, a.report.data.rows], [
        "fixed",
        "labels",
        600,
      ]);
      assertEquals(Object.keys(a.report.predictors.cgml.coverage), ["0", "1", "2"]);
      assertEquals(a.report.config.cgml.latents, "persistent");
      const b = await runToyExperiment(gpu, {
        csv: `${dir}/unlabelled.csv`,
        epochs: 1,
        inputs: 32,
      });
      assertEquals(b.report.data.modesFrom, "clustering");
      assertEquals(b.report.data.modes, ["cluster 0", "cluster 1"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
