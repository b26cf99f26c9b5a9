import { assert, assertEquals, assertThrows } from "../../testing/assert.ts";
import { ArgsError, jsonLine, jsonRecords, parseArgs, STEPS, testSummary } from "./args.ts";
import { pairedWithPytorch, versusPytorch } from "./run.ts";

Deno.test("the device preset runs every step at GPU sizes within 8 minutes", () => {
  const plan = parseArgs([], { OUT: "/tmp/o" });
  assertEquals(plan.preset, "device");
  assertEquals(plan.steps, [...STEPS]);
  assertEquals(plan.out, "/tmp/o");
  assert(plan.kernelCases.includes("matmul-4096"));
  assertEquals(plan.torchMatmul, [1024, 4096]);
  assertEquals(plan.tests, [], "every kernel and autograd test module");
  assert(plan.modelnetSets.includes("order=16"));
  assert(plan.steps.indexOf("cgml-step") > plan.steps.indexOf("torch"));
  assert(parseArgs(["--preset", "quick"]).steps.includes("cgml-step"));
  assert(plan.budget < 8 * 60, `budget ${plan.budget} s`);
  assertEquals(parseArgs([]).out, "out/device");
});

Deno.test("flags select steps and override sizes on top of a preset", () => {
  const plan = parseArgs([
    "--preset",
    "quick",
    "--skip",
    "torch,modelnet",
    "--tests",
    "kernels/conv_test",
    "--kernels",
    "matmul-256,train-step",
    "--torch-matmul",
    "128,256",
    "--set",
    "backbone.epochs=2",
    "--timeout",
    "kernels=42",
    "--budget",
    "600",
    "--out",
    "o",
    "--dry-run",
  ]);
  assertEquals(plan.preset, "quick");
  assertEquals(plan.steps.includes("torch") || plan.steps.includes("modelnet"), false);
  assertEquals(plan.tests, ["kernels/conv_test"]);
  assertEquals(plan.kernelCases, ["matmul-256", "train-step"]);
  assertEquals(parseArgs(["--preset", "quick", "--tests", "all"]).tests, []);
  assertEquals(plan.torchMatmul, [128, 256]);
  assertEquals(plan.modelnetSets.at(-1), "backbone.epochs=2");
  assertEquals(plan.stepTimeout.kernels, 42);
  assertEquals(plan.budget, 600);
  assertEquals(plan.out, "o");
  assertEquals(plan.dryRun, true);
  assertEquals(parseArgs(["--only", "adapter,tune"]).steps, ["adapter", "tune"]);
});

Deno.test("bad arguments are refused with the usage", () => {
  for (
    const argv of [
      ["--preset", "huge"],
      ["--only", "adapter,warp"],
      ["--budget", "-1"],
      ["--set", "novalue"],
      ["--timeout", "kernels"],
      ["--frobnicate", "1"],
      ["--out"],
    ]
  ) {
    const e = assertThrows(() => parseArgs(argv), ArgsError);
    assert(e.message.startsWith("Cannot use") && e.message.includes("usage:"), e.message);
  }
});

Deno.test("results are JSON lines tagged with their step", () => {
  const line = jsonLine("kernels", { case: "matmul-1024", ratio: 5.2 });
  assertEquals(JSON.parse(line), { device_check: "kernels", case: "matmul-1024", ratio: 5.2 });
  assertEquals(line.includes("\n"), false);
  const records = jsonRecords(`[gpu] adapter\n${line}\n{broken\n[1,2]\n  {"a":1}  \n`);
  assertEquals(records, [JSON.parse(line), { a: 1 }]);
});

Deno.test("the test summary is read from deno test's last line", () => {
  assertEquals(testSummary("x ... ok\n\nok | 12 passed | 0 failed (2s)\n"), {
    passed: 12,
    failed: 0,
    ignored: 0,
  });
  assertEquals(testSummary("FAILED | 21 passed (3 steps) | 1 failed | 2 ignored (1m0s)"), {
    passed: 21,
    failed: 1,
    ignored: 2,
  });
  assertEquals(testSummary("error: Module not found"), null);
});

Deno.test("the summary sets the engine against PyTorch with TF32 off and on", () => {
  const kernels = [
    { case: "matmul-1024", metric: "gflops", ours: 2000 },
    { case: "conv2d-forward", metric: "ms", ours: 0.5 },
  ];
  const torch = [
    { case: "matmul-1024", value: 4000, tf32: false },
    { case: "matmul-1024", value: 8000, tf32: true },
    { case: "conv2d-forward", value: 0.25, tf32: false },
  ];
  assertEquals(versusPytorch(kernels, torch), {
    "matmul-1024": {
      ours: 2000,
      torch_fp32: 4000,
      ratio_fp32: 0.5,
      torch_tf32: 8000,
      ratio_tf32: 0.25,
    },
    "conv2d-forward": { ours: 0.5, torch_fp32: 0.25, ratio_fp32: 0.5 },
  });
});

Deno.test("the summary takes bench lines that carry PyTorch as their peer", () => {
  const records = [
    { bench: "cgml", case: "cgml-toy-step", ours: 900, peer: "pytorch", peer_value: 300, ratio: 3 },
    { bench: "cgml", case: "cgml-toy-step", ours: 900, peer: "pytorch", peer_skipped: "no torch" },
    {
      bench: "kernels",
      case: "matmul-256",
      ours: 10,
      peer: "tfjs-webgpu",
      peer_value: 5,
      ratio: 2,
    },
  ];
  assertEquals(pairedWithPytorch(records), {
    "cgml-toy-step": { ours: 900, torch_fp32: 300, ratio_fp32: 3 },
  });
});

Deno.test({
  name: "run.ts --dry-run prints and stores the plan as JSON lines",
  async fn() {
    const out = await Deno.makeTempDir();
    const cmd = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "bench/device/run.ts", "--preset", "quick", "--dry-run"],
      env: { OUT: out },
      stdout: "piped",
      stderr: "piped",
    });
    const r = await cmd.output();
    const stdout = new TextDecoder().decode(r.stdout);
    assertEquals(r.code, 0, new TextDecoder().decode(r.stderr));
    const [plan] = jsonRecords(stdout);
    assertEquals(plan.device_check, "plan");
    assertEquals(plan.preset, "quick");
    assertEquals(Deno.readTextFileSync(`${out}/device.jsonl`).trim(), stdout.trim());
    await Deno.remove(out, { recursive: true });
  },
});
