/**
 * Inference (Eq. 4) and training throughput of the map model, one JSON line each, measured in
 * the same run on the same model: the shipped ModelNet configuration (Zernike order 10: 16×24
 * maps, width 16, depth 3, dense lift of 8 channels, d = 8, β = 30, l = 5 inner steps).
 *
 * - `map-infer`: k = 8 draws of z₀ per input, T = 20 latent steps, as `model.infer@1` runs it
 *   (`BackboneModel.infer`: all k draws of up to 32 inputs in one GPU batch, every z-step of a
 *   batch recorded into one submit); inputs/s, draws/s (inputs/s × k) and submits per input.
 *   Peer: the same inference one input per batch (its k draws together, one submit each).
 * - `map-train`: cGML training samples/s (Algorithm 1, batch 32), after a warm-up epoch.
 *
 * `deno task bench inference [inputs]` (default 128 inputs, 256 training pairs).
 * @module
 */
import { Gpu } from "../worker/gpu/mod.ts";
import { Rng } from "../worker/lib/mod.ts";
import {
  backboneConfig,
  BackboneModel,
  cgmlSettings,
  cleanInputs,
  fitPairs,
} from "../worker/models/mod.ts";
import { mapLayout } from "../worker/spectral/mod.ts";
import { type BenchSuite, emit, median, otherLoad, round } from "./lib.ts";

const ORDER = 10;
const K = 8;
const STEPS = 20;
const PAIRS = 256;
const BACKBONE = { width: 16, depth: 3, batch: 32, lr: 3e-3, seed: 0, latent_dim: 8, lift: 8 };
const CGML = {
  latents: "persistent" as const,
  inner_steps: 5,
  beta: 30,
  alpha: 1,
  hg_once: false,
  lr_z: 1e-3,
  spectral_norm: ["g" as const],
  output_scale: 10,
};

/** Network inputs of `n` random standardised maps of the layout (padding 0). */
function randomInputs(n: number, rng: Rng): { x: Float32Array; cells: number } {
  const layout = mapLayout("zernike", ORDER);
  const cells = layout.height * layout.width;
  const valid = new Float32Array(cells);
  for (let c = 0; c < layout.count; c++) valid[layout.cellOf[c]] = 1;
  const values = Float32Array.from(
    { length: n * cells },
    (_, i) => valid[i % cells] * rng.normal(),
  );
  const rows = Array.from({ length: n }, (_, i) => i);
  return { x: cleanInputs(values, valid, rows), cells };
}

async function train(gpu: Gpu, epochs: number, dir: string) {
  const layout = mapLayout("zernike", ORDER);
  const config = backboneConfig(
    "cgml",
    layout.height,
    layout.width,
    { ...BACKBONE, epochs },
    cgmlSettings(CGML),
  );
  const { x, cells } = randomInputs(PAIRS, new Rng(1));
  const y = Float32Array.from({ length: PAIRS * cells }, (_, i) => x[i * 3]);
  const source = {
    n: PAIRS,
    inDim: x.length / PAIRS,
    outDim: cells,
    weighted: false,
    draw: () => ({ x, y, w: null }),
  };
  const hooks = { checkpoint: `${dir}/train-${epochs}.ckpt`, progress: () => {} };
  return await fitPairs(
    gpu,
    config,
    source,
    hooks,
    (m) => BackboneModel.encode(m, { kind: "cgml", target: "clean" }),
  );
}

async function run(args: string[]): Promise<void> {
  const inputs = Number(args[0] ?? 128);
  const gpu = await Gpu.create({ log: null });
  const dir = await Deno.makeTempDir({ prefix: "cgml-bench-inference-" });
  try {
    emit({ bench: "inference", case: "device", adapter: gpu.adapter.description });
    await train(gpu, 1, dir);
    const load = otherLoad();
    const trained = await train(gpu, 2, dir);
    emit({
      bench: "inference",
      case: "map-train",
      maps: "16x24",
      pairs: PAIRS,
      batch: BACKBONE.batch,
      inner_steps: CGML.inner_steps,
      samples_per_s: round(trained.curves.samplesPerSecond),
      other_load: load.stop(),
    });
    const model = BackboneModel.decode(gpu, trained.model);
    const { x } = randomInputs(inputs, new Rng(2));
    const one = x.length / inputs;
    const draws = (rng: Rng) => ({ draws: K, rng, steps: STEPS, momentum: true });
    const batched = () => model.infer(x, draws(new Rng(3)));
    const single = async () => {
      const rng = new Rng(3);
      for (let i = 0; i < inputs; i++) {
        await model.infer(x.subarray(i * one, (i + 1) * one), draws(rng));
      }
    };
    await batched();
    await model.infer(x.subarray(0, one), draws(new Rng(3)));
    const before = gpu.counters.submits;
    await batched();
    const submits = gpu.counters.submits - before;
    const times: [number[], number[]] = [[], []];
    const inferLoad = otherLoad();
    for (let s = 0; s < 3; s++) {
      let t0 = performance.now();
      await batched();
      times[0].push(performance.now() - t0);
      t0 = performance.now();
      await single();
      times[1].push(performance.now() - t0);
    }
    const ours = inputs * 1000 / median(times[0]);
    const peer = inputs * 1000 / median(times[1]);
    emit({
      bench: "inference",
      case: "map-infer",
      maps: "16x24",
      inputs,
      k: K,
      steps: STEPS,
      inputs_per_s: round(ours),
      draws_per_s: round(ours * K),
      submits_per_input: round(submits / inputs, 3),
      peer: "one input per batch",
      peer_inputs_per_s: round(peer),
      ratio: round(ours / peer, 3),
      other_load: inferLoad.stop(),
    });
    model.dispose();
  } finally {
    gpu.destroy();
    await Deno.remove(dir, { recursive: true });
  }
}

const suite: BenchSuite = {
  description:
    "inference: map model Eq. 4 inputs/s × k (k = 8, T = 20) vs one input per batch, and cGML training samples/s",
  run,
};
export default suite;

if (import.meta.main) await run(Deno.args);
