/**
 * Device-check step `map-model`: cGML on the map denoiser of `modelnet-zernike` (the conv
 * backbone as the `cgml.train` stage builds it, with the stage's defaults and the pipeline's
 * β = 30) — training samples/s and inference inputs/s (k = 8 draws, T = 20 Eq. 4 steps).
 * A thin module over the models layer (`backboneConfig`, `cgmlSettings` in `worker/models`);
 * random maps, since throughput does not depend on the values.
 *
 * Usage: `deno run -A bench/device/map_model.ts [--height H] [--width W] [--batch B]
 * [--steps S] [--inputs N]`; configuration of the device from the environment.
 * @module
 */
import { loadGpuConfig } from "../../infra/mod.ts";
import { cgmlTrain } from "../../pipelines/mod.ts";
import { CgmlTrainer, predict } from "../../worker/cgml/mod.ts";
import { Gpu } from "../../worker/gpu/mod.ts";
import { Rng } from "../../worker/lib/mod.ts";
import { backboneConfig, cgmlSettings } from "../../worker/models/mod.ts";
import { jsonLine } from "./args.ts";

/** Sizes of the throughput run. */
export interface MapModelSizes {
  height: number;
  width: number;
  batch: number;
  /** Training steps timed (after a warm-up epoch of as many). */
  trainSteps: number;
  /** Inputs denoised. */
  inputs: number;
}

/** Measures training and inference throughput; returns the two JSON lines. */
export async function mapModelThroughput(gpu: Gpu, s: MapModelSizes): Promise<string[]> {
  const p = cgmlTrain.params.parse({ beta: 30, batch: s.batch, epochs: 2 });
  const config = backboneConfig("cgml", s.height, s.width, p, cgmlSettings(p));
  const rng = new Rng(1);
  const n = s.batch * s.trainSteps;
  const data = {
    n,
    inDim: config.inDim,
    outDim: config.outDim,
    x: rng.uniformArray(n * config.inDim),
    y: rng.uniformArray(n * config.outDim),
    mode: null,
    modeNames: [],
    xNames: [],
    yNames: [],
  };
  const trainer = new CgmlTrainer(gpu, config, { kind: "fixed", data });
  // Epoch 1 warms up (pipelines compiled, memory pooled); epoch 2 is timed.
  let t0 = 0;
  await trainer.fit({
    onProgress: (e) => {
      if (e.phase === "epoch" && e.epoch === 1) t0 = performance.now();
    },
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  const inputs = rng.uniformArray(s.inputs * config.inDim);
  await predict(trainer.model, inputs.subarray(0, Math.min(8, s.inputs) * config.inDim), {
    draws: 8,
    steps: 20,
    rng,
  });
  const t1 = performance.now();
  await predict(trainer.model, inputs, { draws: 8, steps: 20, rng, chunkRows: 2048 });
  const inferSeconds = (performance.now() - t1) / 1000;
  trainer.dispose();
  const shape = `${s.height}x${s.width}`;
  return [
    jsonLine("map-model", {
      case: "cgml-train",
      map: shape,
      batch: s.batch,
      inner_steps: config.innerSteps,
      steps: s.trainSteps,
      samples_per_s: Number((n / trainSeconds).toPrecision(4)),
    }),
    jsonLine("map-model", {
      case: "cgml-infer",
      map: shape,
      draws: 8,
      eq4_steps: 20,
      inputs: s.inputs,
      inputs_per_s: Number((s.inputs / inferSeconds).toPrecision(4)),
    }),
  ];
}

function flag(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

if (import.meta.main) {
  const a = Deno.args;
  const gpu = await Gpu.create({ ...loadGpuConfig(), log: null });
  const lines = await mapModelThroughput(gpu, {
    height: flag(a, "--height", 32),
    width: flag(a, "--width", 32),
    batch: flag(a, "--batch", 128),
    trainSteps: flag(a, "--steps", 60),
    inputs: flag(a, "--inputs", 512),
  });
  for (const l of lines) console.log(l);
  gpu.destroy();
}
