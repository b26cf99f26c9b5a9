import { assertEquals } from "../../testing/assert.ts";
import { makeConfig } from "../cgml/mod.ts";
import { cgmlSettings } from "./cgml_settings.ts";

const PARAMS = {
  latents: "persistent" as const,
  inner_steps: 3,
  beta: 0.5,
  alpha: 2,
  hg_once: true,
  lr_z: 0.01,
  output_scale: 7,
};

Deno.test("every network in spectral_norm gets the output scale, the others neither", () => {
  const c = makeConfig(cgmlSettings({ ...PARAMS, spectral_norm: ["h", "z"] }));
  assertEquals(
    [c.H.spectralNorm, c.H.outputScale, c.G.spectralNorm, c.G.outputScale, c.Z.outputScale],
    [true, 7, false, 1, 7],
  );
  assertEquals(
    [c.latents, c.innerSteps, c.beta, c.alpha, c.updateHGOnce, c.optimZ.lr],
    ["persistent", 3, 0.5, 2, true, 0.01],
  );
});

Deno.test("cGML's settings merge over the networks' widths", () => {
  const c = makeConfig({ H: { width: 9 } }, cgmlSettings({ ...PARAMS, spectral_norm: ["g"] }));
  assertEquals(c.H, { width: 9, spectralNorm: false, outputScale: 1 });
  assertEquals(c.G.outputScale, 7);
});

Deno.test("lr_schedule reaches the config only when set", () => {
  assertEquals(makeConfig(cgmlSettings({ ...PARAMS, spectral_norm: [] })).lrSchedule, undefined);
  const c = makeConfig(cgmlSettings({ ...PARAMS, spectral_norm: [], lr_schedule: "cosine" }));
  assertEquals(c.lrSchedule, "cosine");
});
