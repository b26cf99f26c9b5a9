/**
 * `eval.denoise@1`: k draws per fixed corrupted test map (`BackboneModel.evaluationDraws`: z₀ from
 * an RNG seeded by the stage's `seed`, so every model of a pipeline sees the same draws), scored by
 * `evaluateDenoising` (PSNR, L1, retrieval mAP) and, with `restoration`, `restorationMeasures`
 * (under mask odd_m with the half-turned test maps as the second mode), and the samples of the
 * first test inputs.
 * @module
 */
import { evalDenoise } from "../../pipelines/mod.ts";
import { evaluateDenoising, restorationMeasures } from "../eval/mod.ts";
import { BackboneModel } from "../models/mod.ts";
import { halfTurnSigns, halfTurnStandardised, mapLayout, type MapSet } from "../spectral/mod.ts";
import { decodeCorrupted, decodeMapSet, encodeJson, encodeSamples } from "./formats/mod.ts";
import { implement } from "./stage.ts";

/** Evaluates one denoiser. */
export default implement(evalDenoise, async (ctx, p) => {
  const maps = decodeMapSet(await ctx.input("maps"));
  const test = decodeCorrupted(await ctx.input("corrupted"));
  const model = BackboneModel.decode(await ctx.gpu(), await ctx.input("model"));
  const start = performance.now();
  try {
    const m = test.rows.length;
    const out = await model.evaluationDraws(test.inputs, p, ctx.progress);
    const scored = evaluateDenoising(maps, test, out, p.k);
    const metrics = {
      model: model.kind,
      ...scored.metrics,
      ...(p.restoration
        ? restorationMeasures(maps, test, out, p.k, scored, secondMode(maps, test, scored.clean))
        : {}),
      seconds: (performance.now() - start) / 1000,
    };
    const s = Math.min(p.samples, m);
    const cells = maps.valid.length;
    const samples = encodeSamples({
      model: model.kind,
      rows: test.rows.slice(0, s),
      draws: p.k,
      height: maps.meta.height,
      width: maps.meta.width,
      clean: scored.clean.slice(0, s * cells),
      corrupted: scored.corrupted.slice(0, s * cells),
      changed: test.changed.slice(0, s * cells),
      recovered: out.slice(0, s * p.k * cells),
    });
    return { metrics: encodeJson(metrics), samples };
  } finally {
    model.dispose();
  }
});

/**
 * The other known completion of each clean test map ([m, cells]): under mask odd_m the map of
 * the shape turned half about z (same input, v → −v on the hidden cells); none otherwise.
 */
function secondMode(
  maps: MapSet,
  test: { mask?: string },
  clean: Float32Array,
): Float32Array | undefined {
  if (test.mask !== "odd_m") return undefined;
  const signs = halfTurnSigns(mapLayout(maps.meta.basis, maps.meta.order));
  return halfTurnStandardised(
    clean,
    { mean: maps.mean, std: maps.std, clip: maps.meta.clip },
    signs,
  );
}
