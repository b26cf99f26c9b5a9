/**
 * The device check's driver (started by `run.sh` once Deno and the Vulkan loader are in
 * place): runs every step as a child process with a timeout, re-emits the JSON lines the steps
 * print as `{"device_check": step, …}` on stdout and into `$OUT/device.jsonl`, and keeps the
 * steps' other output in `$OUT/device.log`. Steps that would start after the time budget are
 * skipped (and say so), so the check always ends with a summary line.
 * @module
 */
import {
  ArgsError,
  type DeviceCheckPlan,
  jsonLine,
  jsonRecords,
  parseArgs,
  type Step,
  testSummary,
} from "./args.ts";

/** A step as a child process. */
interface StepCommand {
  cmd: string;
  args: string[];
  env?: Record<string, string>;
  /** Turns the child's output into result records (default: its JSON lines). */
  parse?: (stdout: string, seconds: number, code: number) => Record<string, unknown>[];
}

/**
 * The kernel and autograd test modules (worker/gpu, worker/nn, cGML's gradient checks), those
 * whose path contains one of `filter` when it is not empty.
 */
function testModules(filter: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(dir)) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory) walk(path);
      else if (e.name.endsWith("_test.ts")) out.push(path);
    }
  };
  walk("worker/gpu");
  walk("worker/nn");
  out.push("worker/cgml/grad_test.ts");
  return out.filter((m) => filter.length === 0 || filter.some((f) => m.includes(f))).sort();
}

/** The command of each step; `work` holds the tuning cache shared by the later steps. */
export function stepCommand(step: Step, plan: DeviceCheckPlan, work: string): StepCommand | null {
  const deno = Deno.execPath();
  const run = (script: string, ...args: string[]) => ({
    cmd: deno,
    args: ["run", "-A", "--cached-only", "--no-check", script, ...args],
  });
  const tuned = { CGML_GPU_PROFILE: "auto", CGML_CACHE: `${work}/cache` };
  const tests = (profile: string, env: Record<string, string>): StepCommand => ({
    cmd: deno,
    args: ["test", "-A", "--cached-only", "--no-check", ...testModules(plan.tests)],
    env: { ...env, NO_COLOR: "1" },
    parse: (out, seconds, code) => {
      const s = testSummary(out);
      const failures = [...out.matchAll(/^(.+) \.\.\. FAILED/gm)].map((m) => m[1]).slice(0, 20);
      return [{ profile, ...(s ?? { crashed: true }), ok: code === 0, seconds, failures }];
    },
  });
  switch (step) {
    case "adapter":
      return run("bench/device/adapter.ts");
    case "tests-gpu":
      return tests("gpu", { CGML_GPU_PROFILE: "gpu" });
    case "tune":
      return { ...run("bench/device/tune.ts"), env: tuned };
    case "tests-tuned":
      return tests("tuned", tuned);
    case "kernels":
      return { ...run("bench/main.ts", "kernels", ...plan.kernelCases), env: tuned };
    case "torch":
      return {
        cmd: "python3",
        args: ["bench/device/torch_peer.py", "--matmul", plan.torchMatmul.join(",")],
        env: { PYTHONUNBUFFERED: "1" },
      };
    case "cgml-step":
      return { ...run("bench/main.ts", "cgml"), env: { ...tuned, PYTHONUNBUFFERED: "1" } };
    case "map-model": {
      const m = plan.map;
      return {
        ...run(
          "bench/device/map_model.ts",
          ...["--height", `${m.height}`, "--width", `${m.width}`, "--batch", `${m.batch}`],
          ...["--steps", `${m.trainSteps}`, "--inputs", `${m.inputs}`],
        ),
        env: tuned,
      };
    }
    case "modelnet":
      return {
        ...run(
          "bench/device/modelnet.ts",
          ...plan.modelnetSets.flatMap((s) => ["--set", s]),
          "--dir",
          `${work}/modelnet`,
        ),
        env: tuned,
      };
  }
}

/**
 * The engine against PyTorch per kernel-bench case: both values and the ratio (above 1: the
 * engine is faster), against fp32 with TF32 off and with TF32 on.
 */
export function versusPytorch(
  kernels: readonly Record<string, unknown>[],
  torch: readonly Record<string, unknown>[],
): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const k of kernels) {
    if (typeof k.case !== "string" || typeof k.ours !== "number") continue;
    for (const t of torch) {
      if (t.case !== k.case || typeof t.value !== "number") continue;
      const mode = t.tf32 ? "tf32" : "fp32";
      const ratio = k.metric === "ms" ? t.value / k.ours : k.ours / t.value;
      out[k.case] = {
        ...out[k.case],
        ours: k.ours,
        [`torch_${mode}`]: t.value,
        [`ratio_${mode}`]: Number(ratio.toPrecision(3)),
      };
    }
  }
  return out;
}

/**
 * The bench lines that carry their PyTorch peer (`peer: "pytorch"` with a `peer_value`, like the
 * `cgml-step` step's), in the form of {@link versusPytorch}.
 */
export function pairedWithPytorch(
  records: readonly Record<string, unknown>[],
): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const r of records) {
    if (
      r.peer !== "pytorch" || typeof r.case !== "string" || typeof r.ours !== "number" ||
      typeof r.peer_value !== "number" || typeof r.ratio !== "number"
    ) continue;
    const mode = r.peer_tf32 ? "tf32" : "fp32";
    out[r.case] = {
      ...out[r.case],
      ours: r.ours,
      [`torch_${mode}`]: r.peer_value,
      [`ratio_${mode}`]: r.ratio,
    };
  }
  return out;
}

/** Runs one child with a timeout; returns its stdout, stderr, exit code and seconds. */
async function runChild(c: StepCommand, timeoutS: number) {
  const t0 = performance.now();
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(c.cmd, {
      args: c.args,
      env: c.env,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    return { stdout: "", stderr: String(e), code: 127, seconds: 0, timedOut: false, error: e };
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutS * 1000);
  const out = await child.output();
  clearTimeout(timer);
  const dec = new TextDecoder();
  return {
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
    code: out.code,
    seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
    timedOut,
    error: null,
  };
}

async function main(argv: string[]): Promise<number> {
  let plan: DeviceCheckPlan;
  try {
    plan = parseArgs(argv, { OUT: Deno.env.get("OUT") });
  } catch (e) {
    if (e instanceof ArgsError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
  Deno.mkdirSync(plan.out, { recursive: true });
  const jsonl = `${plan.out}/device.jsonl`;
  const logFile = `${plan.out}/device.log`;
  Deno.writeTextFileSync(jsonl, "");
  Deno.writeTextFileSync(logFile, "");
  const emit = (line: string) => {
    console.log(line);
    Deno.writeTextFileSync(jsonl, `${line}\n`, { append: true });
  };
  const { dryRun: _, ...shown } = plan;
  emit(jsonLine("plan", shown));
  if (plan.dryRun) return 0;
  const work = Deno.makeTempDirSync({ prefix: "cgml-device-" });
  const start = performance.now();
  const status: Record<string, string> = {};
  const results: Partial<Record<Step, Record<string, unknown>[]>> = {};
  for (const step of plan.steps) {
    const elapsed = (performance.now() - start) / 1000;
    if (elapsed >= plan.budget) {
      emit(jsonLine(step, { skipped: `the ${plan.budget} s budget is spent` }));
      status[step] = "skipped";
      continue;
    }
    const c = stepCommand(step, plan, work)!;
    const timeout = Math.min(plan.stepTimeout[step] ?? 300, plan.budget - elapsed);
    const r = await runChild(c, timeout);
    Deno.writeTextFileSync(
      logFile,
      `\n=== ${step}: ${c.cmd} ${c.args.join(" ")} (exit ${r.code}, ${r.seconds} s)\n${r.stderr}\n`,
      { append: true },
    );
    if (r.error) {
      emit(jsonLine(step, { skipped: `cannot start ${c.cmd}: ${r.error}` }));
      status[step] = "skipped";
      continue;
    }
    const records = c.parse ? c.parse(r.stdout, r.seconds, r.code) : jsonRecords(r.stdout);
    results[step] = records;
    for (const rec of records) {
      const { device_check: _, bench: __, ...fields } = rec;
      emit(jsonLine(step, fields));
    }
    const ok = r.code === 0 && !r.timedOut;
    status[step] = r.timedOut ? "timed out" : ok ? "ok" : `exit ${r.code}`;
    if (!ok) {
      emit(
        jsonLine(step, { failed: status[step], seconds: r.seconds, tail: r.stderr.slice(-800) }),
      );
    }
  }
  emit(jsonLine("summary", {
    seconds: Number(((performance.now() - start) / 1000).toFixed(1)),
    steps: status,
    vs_pytorch: {
      ...versusPytorch(results.kernels ?? [], results.torch ?? []),
      ...pairedWithPytorch(results["cgml-step"] ?? []),
    },
  }));
  await Deno.remove(work, { recursive: true }).catch(() => {});
  return Object.values(status).every((s) => s === "ok" || s === "skipped") ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
