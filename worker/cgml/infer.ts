/**
 * Inference by Eq. 4: for each input, k latents z₀ uniform on the sphere move T steps by
 * z_{t+1} = normalize(z_t + ρ (r − z_t)/‖r − z_t‖) with (r, ρ) = Z(z_t, H(x)), then ŷ = G(H(x), z_T).
 * The ablations: `momentum: false` (z_{t+1} = normalize(r), "w/o ρ"), `move: false` (ŷ = G(H(x), z₀)) and
 * the plain L1 regressor (ŷ = G(H(x)), the same output for every draw). All k·m rows run as
 * one GPU batch (split in chunks of `chunkRows`), one submit and one read per chunk.
 * @module
 */
import { Tape } from "../nn/mod.ts";
import { latentMove } from "../gpu/kernels/mod.ts";
import type { CgmlModel } from "./model.ts";
import { sampleSphere } from "./sphere.ts";
import type { Tensor } from "../gpu/mod.ts";
import type { Rng } from "../lib/mod.ts";
import type { GeneratedSet } from "../eval/mod.ts";

/** Options of {@link predict}. */
export interface PredictOptions {
  /** Draws k of z₀ per input (default 8). */
  draws?: number;
  /** Steps T of Eq. 4 (default: the model's `inferenceSteps`). */
  steps?: number;
  /** Use the momentum ρ (default: the model's `momentum`). */
  momentum?: boolean;
  /** Move the latents at all (default true; false is the "no move" ablation). */
  move?: boolean;
  /** Source of z₀. */
  rng: Rng;
  /** Most rows per GPU batch (default 4096). */
  chunkRows?: number;
}

/** The four predictors compared by the toy experiment. */
export type PredictorName = "cgml" | "cgml-no-rho" | "no-move" | "l1";

/** k outputs for each of the m inputs (`inputs` is m × inDim, row-major). */
export async function predict(
  model: CgmlModel,
  inputs: Float32Array,
  opts: PredictOptions,
): Promise<GeneratedSet> {
  const c = model.config;
  const gpu = model.gpu;
  const k = opts.draws ?? 8;
  const T = opts.steps ?? c.inferenceSteps;
  const momentum = opts.momentum ?? c.momentum;
  const move = (opts.move ?? true) && c.method === "cgml";
  const m = inputs.length / c.inDim;
  if (!Number.isInteger(m) || !Number.isInteger(k) || k < 1) {
    throw new RangeError(
      `Cannot predict: ${inputs.length} input values do not fit inDim ${c.inDim}, or draws ${k} is not a positive integer`,
    );
  }
  const d = c.latentDim;
  const outputs = new Float32Array(m * k * c.outDim);
  const perChunk = Math.max(1, Math.floor((opts.chunkRows ?? 4096) / k));
  for (let first = 0; first < m; first += perChunk) {
    const count = Math.min(perChunk, m - first);
    const rows = count * k;
    const xs = new Float32Array(rows * c.inDim);
    for (let i = 0; i < count; i++) {
      const x = inputs.subarray((first + i) * c.inDim, (first + i + 1) * c.inDim);
      for (let j = 0; j < k; j++) xs.set(x, (i * k + j) * c.inDim);
    }
    const z0 = c.method === "cgml" ? sampleSphere(opts.rng, rows, d) : null;
    const y = await gpu.scopeAsync(async () => {
      const x = gpu.tensor(xs, [rows, c.inDim]);
      let z: Tensor | null = z0 ? gpu.tensor(z0, [rows, d]) : null;
      const tape = new Tape(gpu, { record: false });
      try {
        const h = model.nets.encode(tape, x);
        for (let t = 0; move && z && t < T; t++) {
          z = latentMove(gpu, z, model.nets.move(tape, z, h), momentum);
        }
        return await model.nets.generate(tape, h, z).read();
      } finally {
        tape.dispose();
      }
    });
    outputs.set(y, first * k * c.outDim);
  }
  return { inputs: inputs.slice(), draws: k, outputs };
}

/** Runs one of the four named predictors (`l1` expects the L1 regressor model). */
export function predictNamed(
  name: PredictorName,
  model: CgmlModel,
  inputs: Float32Array,
  opts: Omit<PredictOptions, "momentum" | "move">,
): Promise<GeneratedSet> {
  switch (name) {
    case "cgml":
      return predict(model, inputs, { ...opts, momentum: true });
    case "cgml-no-rho":
      return predict(model, inputs, { ...opts, momentum: false });
    case "no-move":
      return predict(model, inputs, { ...opts, move: false });
    case "l1":
      return predict(model, inputs, opts);
  }
}
