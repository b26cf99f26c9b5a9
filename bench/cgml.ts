/**
 * The toy cGML training step against PyTorch eager: one whole Algorithm-1 step
 * (worker/cgml/train.ts) of the toy configuration (`DEFAULT_CONFIG`: H, G, Z three-layer MLPs of
 * width 64, LeakyReLU 0.2, h of 32, d = 8, l = 5 inner steps each with a z-step, a Z step and an
 * H/G step, Adam, batch 128, fresh latents) in the engine's `CgmlTrainer` (the step recorded
 * into one command buffer, one submit) and in PyTorch eager (`device/torch_cgml.py`: the same
 * shapes, inner steps, losses and Adam settings in fp32, autograd for ∇_z; CUDA with TF32 off
 * where PyTorch sees a GPU, else the CPU), measured in the same run. One JSON line:
 * `{"bench":"cgml","case":"cgml-toy-step","metric":"steps/s","ours":…,"peer":"pytorch",
 * "peer_value":…,"ratio":…}` (ratio above 1: the engine is faster); where PyTorch is missing the
 * line carries `peer_skipped` instead of a peer value.
 *
 * Timing on both sides: warm-up, calibration to about 0.3 s per sample, median of 5 samples,
 * one wait per sample. The engine's sample is one epoch of `reps` steps over a fixed set of
 * random pairs, read back once at its end (`lossEvery` = the epoch's steps).
 *
 * Usage: `deno task bench cgml [--torch-device cuda|cpu]`.
 * @module
 */
import { loadGpuConfig } from "../infra/mod.ts";
import { type CgmlConfig, CgmlTrainer, DEFAULT_CONFIG, makeConfig } from "../worker/cgml/mod.ts";
import type { LossTerms } from "../worker/cgml/mod.ts";
import { Gpu } from "../worker/gpu/mod.ts";
import { Rng } from "../worker/lib/mod.ts";
import { jsonRecords } from "./device/args.ts";
import { type BenchSuite, emit, median, round } from "./lib.ts";

/** The case's name on both sides. */
export const CGML_CASE = "cgml-toy-step";

const SAMPLE_MS = 300;
const SAMPLES = 5;
const PROBE_STEPS = 4;
const PEER_SCRIPT = new URL("./device/torch_cgml.py", import.meta.url).pathname;

/** The engine's side of the case. */
export interface OursTiming {
  /** Seconds per step over the samples. */
  median: number;
  min: number;
  max: number;
  /** Steps per sample. */
  reps: number;
  dispatchesPerStep: number;
  submitsPerStep: number;
  /**
   * Milliseconds from the end of one sample (the GPU idle) until the next sample's first step
   * was recorded and submitted: the host's cost of a step, its minibatch preparation included.
   */
  firstStepMs: number;
  /** Mean loss terms of the last sample. */
  losses: LossTerms | null;
}

/** PyTorch's side: its JSON record of the case, or why there is none. */
export type PeerResult =
  | { record: Record<string, unknown>; device: string | null }
  | { skipped: string };

/** Seconds of each epoch of `steps` steps (the first is a warm-up), with the trainer's counters. */
async function timeEpochs(gpu: Gpu, config: CgmlConfig, steps: number, epochs: number) {
  const c = makeConfig(config, { epochs, lossEvery: steps });
  const rng = new Rng(c.seed);
  const n = steps * c.batchSize;
  const data = {
    n,
    inDim: c.inDim,
    outDim: c.outDim,
    x: rng.uniformArray(n * c.inDim),
    y: rng.uniformArray(n * c.outDim),
    mode: null,
    modeNames: [],
    xNames: [],
    yNames: [],
  };
  const trainer = new CgmlTrainer(gpu, c, { kind: "fixed", data });
  const marks: number[] = [];
  const firstSteps: number[] = [];
  const counters: { dispatches: number; submits: number }[] = [];
  try {
    await trainer.fit({
      onProgress: (p) => {
        const now = performance.now();
        if (p.phase === "step" && (p.step - 1) % steps === 0 && marks.length > 0) {
          firstSteps.push(now - marks.at(-1)!);
        }
        if (p.phase !== "epoch") return;
        marks.push(now);
        counters.push(gpu.counters);
      },
    });
    const seconds = marks.slice(1).map((m, i) => (m - marks[i]) / 1000);
    const timedSteps = steps * seconds.length;
    const per = (k: "dispatches" | "submits") =>
      (counters.at(-1)![k] - counters[0][k]) / Math.max(1, timedSteps);
    return {
      seconds,
      dispatchesPerStep: per("dispatches"),
      submitsPerStep: per("submits"),
      firstStepMs: firstSteps.length > 0 ? median(firstSteps) : NaN,
      losses: trainer.curve.at(-1)?.losses ?? null,
    };
  } finally {
    trainer.dispose();
  }
}

/**
 * Times the engine's training step of `config`: a probe (one warm-up epoch, one of
 * {@link PROBE_STEPS} steps) sets the steps per sample, then a warm-up epoch and `samples`
 * timed epochs of that many steps.
 */
export async function timeOursStep(
  gpu: Gpu,
  config: CgmlConfig,
  opts: { sampleMs?: number; samples?: number } = {},
): Promise<OursTiming> {
  const probe = await timeEpochs(gpu, config, PROBE_STEPS, 2);
  const perStep = probe.seconds[0] / PROBE_STEPS;
  const reps = Math.min(
    4096,
    Math.max(1, Math.round((opts.sampleMs ?? SAMPLE_MS) / 1000 / perStep)),
  );
  const run = await timeEpochs(gpu, config, reps, 1 + (opts.samples ?? SAMPLES));
  const perStepSeconds = run.seconds.map((s) => s / reps);
  return {
    median: median(perStepSeconds),
    min: Math.min(...perStepSeconds),
    max: Math.max(...perStepSeconds),
    reps,
    dispatchesPerStep: run.dispatchesPerStep,
    submitsPerStep: run.submitsPerStep,
    firstStepMs: run.firstStepMs,
    losses: run.losses,
  };
}

/** The hyper-parameters the PyTorch peer reads (`--config`): everything its step uses. */
export function peerConfig(c: CgmlConfig): Record<string, unknown> {
  return {
    seed: c.seed,
    method: c.method,
    family: c.family,
    latents: c.latents,
    inDim: c.inDim,
    outDim: c.outDim,
    latentDim: c.latentDim,
    embedDim: c.embedDim,
    leakySlope: c.leakySlope,
    H: { ...c.H },
    G: { ...c.G },
    Z: { ...c.Z },
    innerSteps: c.innerSteps,
    beta: c.beta,
    alpha: c.alpha,
    updateHGOnce: c.updateHGOnce,
    optimHG: { ...c.optimHG },
    optimZ: { ...c.optimZ },
    batchSize: c.batchSize,
  };
}

/**
 * Reads the peer's JSON lines: its record of {@link CGML_CASE} and the device it named, or the
 * reason it gave none (its `skipped` line, else its exit code and the end of its stderr).
 */
export function parsePeer(stdout: string, stderr: string, code: number): PeerResult {
  const records = jsonRecords(stdout);
  const device = records.find((r) => r.case === "device");
  const rec = records.find((r) => r.case === CGML_CASE);
  if (rec && typeof rec.skipped === "string") return { skipped: rec.skipped };
  if (rec && typeof rec.value === "number" && code === 0) {
    return { record: rec, device: typeof device?.device === "string" ? device.device : null };
  }
  return { skipped: `the PyTorch peer failed (exit ${code}): ${stderr.trim().slice(-400)}` };
}

/** Runs `device/torch_cgml.py` on `config` (python3; `device` forces cuda or cpu). */
export async function runPeer(config: CgmlConfig, device?: string): Promise<PeerResult> {
  const args = [PEER_SCRIPT, "--config", JSON.stringify(peerConfig(config))];
  if (device) args.push("--device", device);
  try {
    const out = await new Deno.Command("python3", {
      args,
      env: { PYTHONUNBUFFERED: "1", PYTHONDONTWRITEBYTECODE: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    return parsePeer(dec.decode(out.stdout), dec.decode(out.stderr), out.code);
  } catch (e) {
    return { skipped: `cannot start python3: ${e instanceof Error ? e.message : e}` };
  }
}

/** The case's JSON line: the engine's steps/s, PyTorch's, and their ratio. */
export function cgmlStepRecord(
  ours: OursTiming,
  peer: PeerResult,
  context: { adapter: string; kernels: string; config: CgmlConfig },
): Record<string, unknown> {
  const c = context.config;
  const oursValue = 1 / ours.median;
  const base = {
    bench: "cgml",
    case: CGML_CASE,
    metric: "steps/s",
    ours: round(oursValue),
    ours_range: [round(1 / ours.max, 3), round(1 / ours.min, 3)],
    adapter: context.adapter,
    kernels: context.kernels,
    reps: ours.reps,
    dispatches_per_step: round(ours.dispatchesPerStep),
    submits_per_step: round(ours.submitsPerStep, 3),
    first_step_host_ms: round(ours.firstStepMs, 3),
    shape: {
      batch: c.batchSize,
      inner_steps: c.innerSteps,
      width: c.H.width,
      h: c.embedDim,
      d: c.latentDim,
    },
    ours_losses: ours.losses &&
      Object.fromEntries(Object.entries(ours.losses).map(([k, v]) => [k, round(v)])),
    peer: "pytorch",
  };
  if ("skipped" in peer) return { ...base, peer_skipped: peer.skipped };
  const r = peer.record;
  const peerValue = r.value as number;
  return {
    ...base,
    peer_value: peerValue,
    peer_device: peer.device ?? r.device,
    peer_tf32: r.tf32,
    ratio: round(oursValue / peerValue, 3),
    peer_losses: r.losses,
    ...(r.gpu_ops_per_step !== undefined ? { peer_gpu_ops_per_step: r.gpu_ops_per_step } : {}),
  };
}

const suite: BenchSuite = {
  description: "the toy cGML training step (CgmlTrainer, one submit) vs PyTorch eager",
  async run(args) {
    const at = args.indexOf("--torch-device");
    const torchDevice = at >= 0 ? args[at + 1] : undefined;
    const gpu = await Gpu.create({ ...loadGpuConfig(), log: null });
    const config = makeConfig(DEFAULT_CONFIG);
    let ours: OursTiming;
    const context = {
      adapter: gpu.adapter.description,
      kernels: gpu.kernels.tuned ? "tuned" : gpu.adapter.profile,
      config,
    };
    try {
      ours = await timeOursStep(gpu, config);
    } finally {
      gpu.destroy();
    }
    emit(cgmlStepRecord(ours, await runPeer(config, torchDevice), context));
  },
};

export default suite;
