import { assert, assertEquals } from "../../testing/assert.ts";
import type { DenoiseMetrics } from "../eval/mod.ts";
import { mapReport, type ModelReport } from "./maps.ts";

function denoise(model: string, restoration: boolean): DenoiseMetrics {
  const base: DenoiseMetrics = {
    model,
    psnr: 20,
    l1: 0.5,
    psnr_best: 21,
    l1_best: 0.45,
    map: 0.3,
    map_corrupted: 0.28,
    map_clean: 0.35,
    draws: 8,
    diversity: 0.1,
    seconds: 1,
  };
  if (!restoration) return base;
  return {
    ...base,
    modes_found: 1.5,
    map_reconstruction: 0.05,
    map_reconstruction_corrupted: 0.03,
    oracle: { mean_l1: 0.7, best_l1: 0.5, single_l1: 0.8, ratio: 0.71 },
    half_turn: { a: 0.1, b: 0.05, between: 0.85, both_modes: 0.02, mean_t: 0.5, inputs: 10 },
  };
}

const options = { title: "t", reconstructions: 0, notes: "" };

Deno.test("the map report keeps the restoration measures and states the claims", async () => {
  const models: ModelReport[] = [
    { name: "cgml", denoise: denoise("cgml", true) },
    { name: "l1", denoise: denoise("l1", true) },
  ];
  const { html, results } = await mapReport(options, models);
  assertEquals(results.models.cgml.half_turn_between, 0.85);
  assertEquals(results.models.cgml.oracle_best_l1, 0.5);
  assertEquals(results.models.l1.map_reconstruction, 0.05);
  assert(html.includes("<h2>Claims</h2>") && html.includes("untested"), "one run: untested");
  assert(html.includes("<th>map_reconstruction</th>") && html.includes("<th>modes_found</th>"));
});

Deno.test("without restoration measures the results and the table are as before", async () => {
  const { html, results } = await mapReport(options, [{
    name: "cgml",
    denoise: denoise("cgml", false),
  }]);
  assertEquals(Object.keys(results.models.cgml), [
    "psnr",
    "psnr_best",
    "l1",
    "l1_best",
    "map",
    "diversity",
    "map_clean",
    "map_corrupted",
  ]);
  assert(!html.includes("<th>map_reconstruction</th>") && !html.includes("<h2>Claims</h2>"));
});
