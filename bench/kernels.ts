/**
 * Kernel benchmarks: the engine's matmul and conv kernels against TF.js webgpu on the same
 * adapter in the same process. Prints a device line (adapter, and the kernel tuning: its time
 * and table), then one JSON line per case:
 * `{"bench":"kernels","case":…,"metric":"gflops"|"ms"|"samples/s","ours":…,"variant":…,
 * "peer":"tfjs-webgpu","peer_value":…,"ratio":…,"profiles":{"cpu":…,"gpu":…}}`; `ours` and the
 * ratio use the tuned kernel choice (`variant`), `profiles` the same case under each fixed
 * profile (fewer samples); a ratio above 1 always means the engine is faster.
 *
 * Usage: `deno run -A bench/main.ts kernels [case-name-substring…]`; the heavy cases
 * (matmul 4096³) run only when named.
 * @module
 */
import type * as tfjs from "@tensorflow/tfjs-core";
import { trainStepCase } from "./train_step.ts";
import {
  type BenchSuite,
  emit,
  round,
  setupTfjs,
  type TfjsPeer,
  time,
  timePair,
  type TimingStats,
} from "./lib.ts";
import { loadGpuConfig } from "../infra/mod.ts";
import {
  Gpu,
  KernelChoices,
  type KernelProfile,
  type Tensor,
  tuneSummary,
} from "../worker/gpu/mod.ts";
import { Rng } from "../worker/lib/mod.ts";
import {
  conv2d,
  conv2dInputGrad,
  conv2dWeightGrad,
  convClass,
  matmul,
  matmulClass,
} from "../worker/gpu/kernels/mod.ts";

/** What a case can use: the engine's device, TF.js, and a seeded generator. */
export interface KernelBenchContext {
  gpu: Gpu;
  tfjs: TfjsPeer;
  rng: Rng;
}

/** A case made ready to time: one operation per call on each side. */
export interface PreparedCase {
  /** Records one engine operation (never waits). */
  ours: () => void;
  /** Enqueues one TF.js operation (never waits). */
  peer: () => void;
  /** Runs both once and returns max |ours - peer| / max(1, max |peer|). */
  check: () => Promise<number>;
  /** Frees the inputs. */
  dispose: () => void;
}

/** One benchmark case. */
export interface KernelCase {
  name: string;
  /**
   * "gflops" reports throughput (needs `flops`); "ms" reports time per operation;
   * "samples/s" reports samples processed per second (needs `samples`).
   */
  metric: "gflops" | "ms" | "samples/s";
  /** Floating-point operations of one operation. */
  flops?: number;
  /** Samples processed by one operation. */
  samples?: number;
  /** Runs only when named on the command line (too slow for a CPU adapter). */
  heavy?: boolean;
  /** The kernel variant the device runs for this case (absent: several kernels). */
  variant?: (choices: KernelChoices) => string;
  prepare: (ctx: KernelBenchContext) => PreparedCase;
}

/** Largest relative difference accepted between the engine and TF.js. */
const MAX_DIFF = 1e-4;

/** Random inputs uploaded to both sides. */
function inputs(ctx: KernelBenchContext, shapes: number[][]) {
  return shapes.map((shape) => {
    const data = ctx.rng.uniformArray(shape.reduce((a, b) => a * b, 1));
    return { ours: ctx.gpu.tensor(data, shape), peer: ctx.tfjs.tf.tensor(data, shape) };
  });
}

/** Builds a {@link PreparedCase} from two functions that return new tensors. */
function prepared(
  tensors: { ours: Tensor; peer: tfjs.Tensor }[],
  ours: () => Tensor,
  peer: () => tfjs.Tensor,
): PreparedCase {
  return {
    ours: () => ours().dispose(),
    peer: () => peer().dispose(),
    async check() {
      const a = ours();
      const b = peer();
      const [x, y] = [await a.read(), await b.data()];
      a.dispose();
      b.dispose();
      let diff = 0;
      let scale = 1;
      for (let i = 0; i < y.length; i++) {
        diff = Math.max(diff, Math.abs(x[i] - y[i]));
        scale = Math.max(scale, Math.abs(y[i]));
      }
      return x.length === y.length ? diff / scale : Infinity;
    },
    dispose() {
      for (const t of tensors) {
        t.ours.dispose();
        t.peer.dispose();
      }
    },
  };
}

function matmulCase(m: number, n: number, k: number, name: string, heavy = false): KernelCase {
  return {
    name,
    metric: "gflops",
    flops: 2 * m * n * k,
    heavy,
    variant: (choices) => choices.pick("matmul", matmulClass(m, n, k)),
    prepare(ctx) {
      const t = inputs(ctx, [[m, k], [k, n]]);
      const tf = ctx.tfjs.tf;
      return prepared(
        t,
        () => matmul(t[0].ours, t[1].ours),
        () => tf.matMul(t[0].peer as tfjs.Tensor2D, t[1].peer as tfjs.Tensor2D),
      );
    },
  };
}

/** The layer measured in WEBGPU.md §3.2: batch 16, 32×32×32 → 64 channels, 4×4, s2, p1. */
const LAYER = {
  x: [16, 32, 32, 32],
  w: [4, 4, 32, 64],
  y: [16, 16, 16, 64],
  stride: 2,
  padding: 1,
} as const;

/** The GEMM family and shape class of each conv case (see CONV_CLASSES). */
const CONV_GEMM = {
  forward: ["conv_fwd", "fwd", 4096, 64, 512],
  input: ["conv_dx", "dx", 4096, 32, 256],
  weight: ["conv_dw", "dw", 512, 64, 4096],
} as const;

function convCase(name: string, kind: "forward" | "input" | "weight"): KernelCase {
  const [family, gemmKind, m, n, k] = CONV_GEMM[kind];
  return {
    name,
    metric: "ms",
    flops: 2 * 16 * 16 * 16 * 64 * 4 * 4 * 32,
    variant: (choices) => choices.pick(family, convClass(gemmKind, m, n, k)),
    prepare(ctx) {
      const tf = ctx.tfjs.tf;
      const { stride, padding } = LAYER;
      const x = [...LAYER.x];
      const w = [...LAYER.w];
      const y = [...LAYER.y];
      if (kind === "forward") {
        const t = inputs(ctx, [x, w]);
        return prepared(
          t,
          () => conv2d(t[0].ours, t[1].ours, { stride, padding }),
          () => tf.conv2d(t[0].peer as tfjs.Tensor4D, t[1].peer as tfjs.Tensor4D, stride, padding),
        );
      }
      if (kind === "input") {
        const t = inputs(ctx, [y, w]);
        return prepared(
          t,
          () => conv2dInputGrad(t[0].ours, t[1].ours, x, { stride, padding }),
          () =>
            tf.conv2dTranspose(
              t[0].peer as tfjs.Tensor4D,
              t[1].peer as tfjs.Tensor4D,
              x as [number, number, number, number],
              stride,
              padding,
            ),
        );
      }
      const t = inputs(ctx, [x, y]);
      return prepared(
        t,
        () => conv2dWeightGrad(t[0].ours, t[1].ours, w, { stride, padding }),
        () =>
          tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: t[0].peer, dy: t[1].peer }, {
            strides: stride,
            pad: padding,
            dataFormat: "NHWC",
            filterShape: w,
          }) as tfjs.Tensor,
      );
    },
  };
}

/** The cases in output order; further cases (e.g. a training step) can be appended. */
export const CASES: KernelCase[] = [
  matmulCase(256, 256, 256, "matmul-256"),
  matmulCase(512, 512, 512, "matmul-512"),
  matmulCase(1024, 1024, 1024, "matmul-1024"),
  matmulCase(64, 4096, 512, "matmul-64x4096x512"),
  matmulCase(4096, 4096, 4096, "matmul-4096", true),
  convCase("conv2d-forward", "forward"),
  convCase("conv2d-input-grad", "input"),
  convCase("conv2d-weight-grad", "weight"),
  trainStepCase,
];

/** Checks, times and reports one case as a JSON line. */
export async function runCase(ctx: KernelBenchContext, c: KernelCase): Promise<void> {
  const p = c.prepare(ctx);
  try {
    const diff = await p.check();
    if (!(diff <= MAX_DIFF)) {
      throw new Error(`Cannot trust case ${c.name}: engine and TF.js differ by ${diff}`);
    }
    const [ours, peer] = await timePair(
      { record: p.ours, flush: () => ctx.gpu.sync() },
      { record: p.peer, flush: ctx.tfjs.flush },
    );
    const value = (ms: number) =>
      c.metric === "ms"
        ? ms
        : c.metric === "samples/s"
        ? (c.samples! * 1000) / ms
        : c.flops! / ms / 1e6;
    const range = (s: TimingStats) =>
      [value(s.min), value(s.max)].sort((a, b) => a - b).map((v) => round(v, 3));
    const profiles = await fixedProfiles(ctx.gpu, c, p, ours.median);
    emit({
      bench: "kernels",
      case: c.name,
      metric: c.metric,
      ours: round(value(ours.median)),
      variant: c.variant?.(ctx.gpu.kernels) ??
        (ctx.gpu.kernels.tuned ? "tuned" : ctx.gpu.adapter.profile),
      peer: ctx.tfjs.name,
      peer_value: round(value(peer.median)),
      ratio: round(peer.median / ours.median, 3),
      ours_range: range(ours),
      peer_range: range(peer),
      profiles: Object.fromEntries(profiles.map(([name, ms]) => [name, round(value(ms))])),
      max_rel_diff: round(diff, 2),
      other_load: Math.max(ours.otherLoad ?? 0, peer.otherLoad ?? 0),
    });
  } finally {
    p.dispose();
  }
}

/**
 * Milliseconds per operation of the case under each fixed profile: the tuned median where the
 * profile runs the same variant, else timed (3 samples) with the device's choices swapped.
 */
async function fixedProfiles(
  gpu: Gpu,
  c: KernelCase,
  p: PreparedCase,
  tunedMs: number,
): Promise<[KernelProfile, number][]> {
  const tuned = gpu.kernels;
  const out: [KernelProfile, number][] = [];
  for (const profile of ["cpu", "gpu"] as const) {
    const fixed = new KernelChoices(profile);
    const same = c.variant
      ? c.variant(fixed) === c.variant(tuned)
      : tuned.tuned === null && tuned.profile === profile;
    gpu.kernels = fixed;
    try {
      const ms = same
        ? tunedMs
        : (await time({ record: p.ours, flush: () => gpu.sync() }, { samples: 3, sampleMs: 200 }))
          .median;
      out.push([profile, ms]);
    } finally {
      gpu.kernels = tuned;
    }
  }
  return out;
}

const suite: BenchSuite = {
  description: "matmul and conv2d kernels vs TF.js webgpu on the same adapter",
  async run(args) {
    const gpu = await Gpu.create({ ...loadGpuConfig(), log: null });
    const tuning = gpu.tuning;
    emit({
      bench: "kernels",
      case: "device",
      adapter: gpu.adapter.description,
      fallback: gpu.adapter.isFallback,
      profile: gpu.adapter.profile,
      tuned: gpu.adapter.tuned,
      ...(tuning
        ? {
          tune_ms: tuning.record.ms,
          tune_complete: tuning.record.complete,
          tune_from_cache: tuning.fromCache,
          tune_table: tuneSummary(tuning.record.table),
        }
        : {}),
    });
    const ctx: KernelBenchContext = { gpu, tfjs: await setupTfjs(), rng: new Rng(1) };
    const selected = CASES.filter((c) =>
      args.length === 0 ? !c.heavy : args.some((a) => c.name.includes(a))
    );
    for (const c of selected) await runCase(ctx, c);
    gpu.destroy();
  },
};

export default suite;
