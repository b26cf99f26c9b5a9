/**
 * The device check's command line and output format (see `run.sh`): which steps run, at what
 * sizes, and the JSON line every result becomes. Pure functions, tested in CI.
 *
 * Presets: `device` (the default: sizes for an H100/H200, well under 8 minutes) and `quick`
 * (reduced sizes that finish on the 2-core CPU adapter). Flags override single settings.
 * @module
 */

/** The steps, in the order they run. */
export const STEPS = [
  "adapter",
  "tests-gpu",
  "tune",
  "tests-tuned",
  "kernels",
  "torch",
  "cgml-step",
  "map-model",
  "modelnet",
] as const;

/** One step of the device check. */
export type Step = (typeof STEPS)[number];

/** Everything the device check needs to know. */
export interface DeviceCheckPlan {
  preset: "device" | "quick";
  /** Steps to run, in order. */
  steps: Step[];
  /** Test modules run by the test steps (path substrings; empty: every kernel and autograd module). */
  tests: string[];
  /** Kernel-bench cases (name substrings) timed against TF.js. */
  kernelCases: string[];
  /** Matrix sizes n of the PyTorch n³ products (the kernel bench's matmul cases). */
  torchMatmul: number[];
  /** Map-model throughput: map side (16 × 24 at order 10, 32 × 32 at 16), steps, batch. */
  map: { height: number; width: number; batch: number; trainSteps: number; inputs: number };
  /** `--set` overrides of the modelnet-zernike run. */
  modelnetSets: string[];
  /** Seconds a step may take before it is stopped. */
  stepTimeout: Partial<Record<Step, number>>;
  /** Seconds for the whole check; steps that would start later are skipped. */
  budget: number;
  /** Where results go (`$OUT/device.jsonl` and `device.log`). */
  out: string;
  /** Print the plan as JSON lines and run nothing. */
  dryRun: boolean;
}

/** The modelnet-zernike GPU config: Zernike order 16 (32 × 32 maps), 10× the shapes. */
const DEVICE_MODELNET = [
  "order=16",
  "dataset.train_per_class=800",
  "dataset.test_per_class=200",
];

/** A few shapes at order 6, one epoch: the whole pipeline in a couple of minutes on llvmpipe. */
const QUICK_MODELNET = [
  "order=6",
  "dataset.classes=3",
  "dataset.train_per_class=8",
  "dataset.test_per_class=4",
  "dataset.points=512",
  "backbone.epochs=1",
  "backbone.depth=2",
  "backbone.width=8",
  "probe.epochs=20",
  "probe.rounds=1",
];

const PRESETS: Record<DeviceCheckPlan["preset"], Omit<DeviceCheckPlan, "out" | "dryRun">> = {
  device: {
    preset: "device",
    steps: [...STEPS],
    tests: [],
    kernelCases: ["matmul-1024", "matmul-4096", "conv2d", "train-step"],
    torchMatmul: [1024, 4096],
    map: { height: 32, width: 32, batch: 128, trainSteps: 60, inputs: 512 },
    modelnetSets: DEVICE_MODELNET,
    stepTimeout: {
      "tests-gpu": 120,
      "tests-tuned": 120,
      kernels: 120,
      "cgml-step": 90,
      modelnet: 200,
    },
    budget: 450,
  },
  quick: {
    preset: "quick",
    steps: [...STEPS],
    tests: ["kernels/matmul_test", "kernels/fused_mlp_test", "nn/tape_test", "nn/layers_test"],
    kernelCases: ["matmul-256", "conv2d-forward"],
    torchMatmul: [256],
    map: { height: 16, width: 24, batch: 32, trainSteps: 4, inputs: 32 },
    modelnetSets: QUICK_MODELNET,
    stepTimeout: {
      "tests-gpu": 900,
      "tests-tuned": 900,
      kernels: 300,
      "cgml-step": 300,
      modelnet: 600,
    },
    budget: 3600,
  },
};

const USAGE = `usage: bench/device/run.sh [--preset device|quick] [--only step,…] [--skip step,…]
  [--tests all|path,…] [--kernels case,…] [--torch-matmul n,…] [--set a.b=v]… [--budget seconds]
  [--timeout step=seconds]… [--out DIR] [--dry-run]
steps: ${STEPS.join(", ")}`;

/** Invalid arguments; the message ends with the usage. */
export class ArgsError extends Error {
  override name = "ArgsError";
}

function list(v: string): string[] {
  return v.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

function steps(flag: string, v: string): Step[] {
  const out = list(v);
  const bad = out.filter((s) => !(STEPS as readonly string[]).includes(s));
  if (bad.length > 0) {
    throw new ArgsError(`Cannot use ${flag} ${bad.join(",")}: unknown step\n${USAGE}`);
  }
  return out as Step[];
}

function positive(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) {
    throw new ArgsError(`Cannot use ${flag} ${v}: expected a positive number\n${USAGE}`);
  }
  return n;
}

/** Parses the arguments after `run.sh`; `env` supplies `OUT` (default `out/device`). */
export function parseArgs(
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
): DeviceCheckPlan {
  const presetAt = argv.indexOf("--preset");
  const name = presetAt >= 0 ? argv[presetAt + 1] : "device";
  if (name !== "device" && name !== "quick") {
    throw new ArgsError(`Cannot use --preset ${name}: expected device or quick\n${USAGE}`);
  }
  const p = PRESETS[name];
  const plan: DeviceCheckPlan = {
    ...p,
    steps: [...p.steps],
    stepTimeout: { ...p.stepTimeout },
    tests: [...p.tests],
    map: { ...p.map },
    modelnetSets: [...p.modelnetSets],
    out: env.OUT || "out/device",
    dryRun: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--dry-run") {
      plan.dryRun = true;
      continue;
    }
    const v = argv[++i];
    if (v === undefined) throw new ArgsError(`Cannot use ${flag}: it needs a value\n${USAGE}`);
    switch (flag) {
      case "--preset":
        break;
      case "--only":
        plan.steps = steps(flag, v);
        break;
      case "--skip": {
        const skip = steps(flag, v);
        plan.steps = plan.steps.filter((s) => !skip.includes(s));
        break;
      }
      case "--tests":
        plan.tests = v === "all" ? [] : list(v);
        break;
      case "--kernels":
        plan.kernelCases = list(v);
        break;
      case "--torch-matmul":
        plan.torchMatmul = list(v).map((n) => positive(flag, n));
        break;
      case "--set":
        if (!/^[\w.]+=.+$/.test(v)) {
          throw new ArgsError(`Cannot use --set ${v}: expected a.b=v\n${USAGE}`);
        }
        plan.modelnetSets.push(v);
        break;
      case "--budget":
        plan.budget = positive(flag, v);
        break;
      case "--timeout": {
        const [step, secs] = v.split("=");
        plan.stepTimeout[steps(flag, step)[0]] = positive(flag, secs ?? "");
        break;
      }
      case "--out":
        plan.out = v;
        break;
      default:
        throw new ArgsError(`Cannot use ${flag}: unknown option\n${USAGE}`);
    }
  }
  return plan;
}

/** One result as the device check prints and stores it: `{"device_check": step, …}`. */
export function jsonLine(step: Step | "plan" | "summary", record: Record<string, unknown>): string {
  return JSON.stringify({ device_check: step, ...record });
}

/**
 * The summary of a `deno test` run from its output (colours off): passed, failed and ignored
 * test counts, or null when no summary line was printed (the run crashed or timed out).
 */
export function testSummary(
  output: string,
): { passed: number; failed: number; ignored: number } | null {
  const m =
    /(?:^|\n)(?:ok|FAILED) \| (\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed(?: \| (\d+) ignored)?/
      .exec(output);
  if (!m) return null;
  return { passed: Number(m[1]), failed: Number(m[3]), ignored: Number(m[4] ?? 0) };
}

/** The JSON objects among the lines of `output` (other lines are skipped). */
export function jsonRecords(output: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of output.split("\n")) {
    const t = line.trim();
    if (!t.startsWith("{")) continue;
    try {
      const v = JSON.parse(t);
      if (typeof v === "object" && v !== null && !Array.isArray(v)) out.push(v);
    } catch {
      // Not a result line.
    }
  }
  return out;
}
