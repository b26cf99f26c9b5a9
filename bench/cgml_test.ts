import { assert, assertAlmostEquals, assertEquals } from "../testing/assert.ts";
import { DEFAULT_CONFIG, makeConfig } from "../worker/cgml/mod.ts";
import { Gpu } from "../worker/gpu/mod.ts";
import {
  CGML_CASE,
  cgmlStepRecord,
  type OursTiming,
  parsePeer,
  peerConfig,
  runPeer,
  timeOursStep,
} from "./cgml.ts";

const PY_DIR = new URL("./device/", import.meta.url).pathname;

async function python(...args: string[]) {
  const out = await new Deno.Command("python3", {
    args,
    env: { PYTHONDONTWRITEBYTECODE: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

const OURS: OursTiming = {
  median: 0.01,
  min: 0.008,
  max: 0.0125,
  reps: 30,
  dispatchesPerStep: 123,
  submitsPerStep: 31 / 30,
  firstStepMs: 1.5,
  losses: { fit: 0.5, mover: 0.2, start: 0.6, rho: 0.5 },
};
const CONTEXT = { adapter: "llvmpipe", kernels: "tuned", config: makeConfig(DEFAULT_CONFIG) };

Deno.test("the peer gets the toy step's shapes and hyper-parameters", () => {
  const p = peerConfig(makeConfig(DEFAULT_CONFIG));
  assertEquals(
    [p.inDim, p.outDim, p.latentDim, p.embedDim, p.innerSteps, p.batchSize, p.leakySlope],
    [1, 3, 8, 32, 5, 128, 0.2],
  );
  assertEquals(p.H, { width: 64, spectralNorm: false, outputScale: 1 });
  assertEquals(p.optimZ, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
  assertEquals([p.beta, p.alpha, p.updateHGOnce, p.latents], [1, 1, false, "fresh"]);
});

Deno.test("the peer's lines are read: a measurement, a skip, a failure", () => {
  const measured = parsePeer(
    `{"peer":"pytorch","case":"device","device":"NVIDIA H100"}\nnoise\n` +
      `{"peer":"pytorch","case":"${CGML_CASE}","metric":"steps/s","value":250.5,"tf32":false}\n`,
    "",
    0,
  );
  assertEquals("record" in measured && measured.record.value, 250.5);
  assertEquals("record" in measured && measured.device, "NVIDIA H100");
  assertEquals(
    parsePeer(`{"peer":"pytorch","case":"${CGML_CASE}","skipped":"no torch"}\n`, "", 0),
    { skipped: "no torch" },
  );
  const failed = parsePeer("", "Traceback …\nRuntimeError: CUDA out of memory\n", 1);
  assert("skipped" in failed && failed.skipped.includes("exit 1"));
  assert("skipped" in failed && failed.skipped.endsWith("CUDA out of memory"));
});

Deno.test("the JSON line sets the engine's steps/s against PyTorch's", () => {
  const line = cgmlStepRecord(
    OURS,
    {
      record: {
        value: 50,
        tf32: false,
        device: "cuda",
        losses: { fit: 0.5 },
        gpu_ops_per_step: 900,
      },
      device: "NVIDIA H100",
    },
    CONTEXT,
  );
  assertEquals(line.bench, "cgml");
  assertEquals(line.case, CGML_CASE);
  assertEquals(line.metric, "steps/s");
  assertEquals(line.ours, 100);
  assertEquals(line.ours_range, [80, 125]);
  assertEquals([line.peer, line.peer_value, line.peer_device], ["pytorch", 50, "NVIDIA H100"]);
  assertEquals(line.ratio, 2);
  assertEquals(line.first_step_host_ms, 1.5);
  assertEquals(line.peer_gpu_ops_per_step, 900);
  assertEquals(line.shape, { batch: 128, inner_steps: 5, width: 64, h: 32, d: 8 });
  assertEquals(JSON.stringify(line).includes("\n"), false);
  const skipped = cgmlStepRecord(OURS, { skipped: "PyTorch is not installed" }, CONTEXT);
  assertEquals(skipped.peer_skipped, "PyTorch is not installed");
  assertEquals("ratio" in skipped || "peer_value" in skipped, false);
});

Deno.test("the PyTorch scripts compile", async () => {
  const dir = await Deno.makeTempDir();
  for (const script of ["torch_peer.py", "torch_cgml.py"]) {
    const r = await python(
      "-c",
      "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)",
      `${PY_DIR}${script}`,
      `${dir}/${script}c`,
    );
    assertEquals(r.code, 0, `${script}: ${r.stderr}`);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the PyTorch peer refuses a bad config and measures or says why not", async () => {
  const bad = await python(`${PY_DIR}torch_cgml.py`, "--config", '{"inDim": 1}');
  assertEquals(bad.code, 2);
  assert(bad.stderr.startsWith("Cannot use --config: missing outDim"), bad.stderr);
  const conv = await python(
    `${PY_DIR}torch_cgml.py`,
    "--config",
    JSON.stringify({ ...peerConfig(makeConfig(DEFAULT_CONFIG)), family: "conv" }),
  );
  assertEquals(conv.code, 2);
  const peer = await runPeer(makeConfig(DEFAULT_CONFIG), "cpu");
  if ("skipped" in peer) {
    assert(peer.skipped.startsWith("PyTorch is not installed"), peer.skipped);
  } else {
    assert((peer.record.value as number) > 0);
    assertEquals(peer.record.device, "cpu");
  }
});

Deno.test({
  name: "the engine's step is timed with one submit per step and one readback per sample",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const gpu = await Gpu.create({ log: null });
    try {
      const config = makeConfig(DEFAULT_CONFIG, { batchSize: 16, innerSteps: 2 });
      const t = await timeOursStep(gpu, config, { sampleMs: 1, samples: 2 });
      assertEquals(t.reps, 1);
      assert(t.min <= t.median && t.median <= t.max && t.min > 0);
      assertAlmostEquals(t.submitsPerStep, (t.reps + 1) / t.reps, 1e-9);
      assert(t.firstStepMs > 0 && t.firstStepMs < t.max * 1000, `${t.firstStepMs} ms`);
      assert(t.dispatchesPerStep > 20, `${t.dispatchesPerStep} dispatches per step`);
      assert(t.losses !== null && Number.isFinite(t.losses.fit) && t.losses.rho > 0);
    } finally {
      gpu.destroy();
    }
  },
});
