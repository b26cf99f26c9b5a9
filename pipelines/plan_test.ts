import { assert, assertEquals } from "../testing/assert.ts";
import { formatDiagnostics } from "./diagnostics.ts";
import { compilePipeline } from "./plan.ts";

const SHIPPED = [
  "modelnet-zernike.yaml",
  "modelnet-sh.yaml",
  "toy-multimodal.yaml",
  "mnist-completion.yaml",
  "colorize.yaml",
  "infer.yaml",
  "modelnet-transfer.yaml",
];

async function compileShipped(name: string, sets: string[] = []) {
  const text = await Deno.readTextFile(new URL(name, import.meta.url));
  return compilePipeline({ file: name, text, sets });
}

for (const name of SHIPPED) {
  Deno.test(`shipped pipeline ${name} validates and plans`, async () => {
    const result = await compileShipped(name);
    assert(result.plan !== undefined, formatDiagnostics(result.errors, result.sources));
    const seen = new Set<string>();
    for (const stage of result.plan.stages) {
      for (const dep of stage.deps) assert(seen.has(dep), `${stage.id} runs before ${dep}`);
      seen.add(stage.id);
    }
    assert(Object.keys(result.plan.outputs).length > 0);
  });
}

Deno.test("modelnet-zernike: synthetic by default, real ModelNet with --set dataset.root", async () => {
  const synthetic = (await compileShipped("modelnet-zernike.yaml")).plan!;
  const shapes = synthetic.stages.find((s) => s.id === "shapes")!;
  assertEquals(shapes.params.root, "");
  assertEquals(shapes.inputs.meshes, {
    kind: "output",
    stage: "synthetic",
    output: "meshes",
    type: "mesh-folder",
  });
  const real = (await compileShipped("modelnet-zernike.yaml", ["dataset.root=/data/ModelNet40"]))
    .plan!;
  assertEquals(real.stages.find((s) => s.id === "shapes")!.params.root, "/data/ModelNet40");
  const sh = (await compileShipped("modelnet-sh.yaml")).plan!;
  assertEquals(sh.stages.find((s) => s.id === "maps")!.params, { basis: "sh", order: 15, clip: 5 });
});

Deno.test("params added to a stage type join its params only away from their old default", async () => {
  const stage = async (name: string, id: string, sets: string[]) =>
    (await compileShipped(name, sets)).plan!.stages.find((s) => s.id === id)!.params;
  const corrupt = await stage("modelnet-zernike.yaml", "corrupt", ["corruption.degree=0"]);
  assertEquals(["mask" in corrupt, "degree" in corrupt], [false, false]);
  const odd = await stage("modelnet-zernike.yaml", "corrupt", ["corruption.mask=odd_m"]);
  assertEquals([odd.mask, "degree" in odd], ["odd_m", false]);
  const high = await stage("modelnet-zernike.yaml", "corrupt", [
    "corruption.mask=above_degree",
    "corruption.degree=5",
  ]);
  assertEquals([high.mask, high.degree], ["above_degree", 5]);
  assertEquals("restoration" in await stage("modelnet-zernike.yaml", "eval.cgml", []), false);
  assertEquals(
    (await stage("modelnet-zernike.yaml", "eval.cgml", ["restoration=true"])).restoration,
    true,
  );
  assertEquals("generator" in await stage("colorize.yaml", "images", []), false);
  assertEquals(
    (await stage("colorize.yaml", "images", ["dataset.generator=colour_modes"])).generator,
    "colour_modes",
  );
});

Deno.test("plan binds params, interpolates strings and resolves table inputs", async () => {
  const plan =
    (await compileShipped("modelnet-zernike.yaml", ["order=20", "corruption.sigma=0.25", "seed=3"]))
      .plan!;
  const corrupt = plan.stages.find((s) => s.id === "corrupt")!;
  assertEquals(corrupt.params, {
    mask_min: 0.1,
    mask_max: 0.3,
    sigma: 0.25,
    noise_fraction: 0.25,
    seed: 3,
  });
  const report = plan.stages.find((s) => s.id === "report")!;
  assertEquals(report.params.title, "ModelNet denoising on Zernike maps (order 20)");
  const models = report.inputs.models as Record<string, Record<string, unknown>>;
  assertEquals(Object.keys(models), ["cgml", "l1", "cvae", "ce", "raw"]);
  assertEquals(Object.keys(models.raw), ["linear"]);
  assertEquals(models.raw.linear, {
    kind: "output",
    stage: "linear.raw",
    output: "metrics",
    type: "classifier-metrics",
  });
  assertEquals(Object.keys(models.cgml), ["curves", "denoise", "samples", "linear"]);
  assertEquals((models.l1.curves as { stage: string }).stage, "train.l1");
  const cgml = plan.stages.find((s) => s.id === "train.cgml")!;
  assertEquals(cgml.retry, { attempts: 2, backoff: "exponential", delay: "5s" });
  assertEquals(cgml.deps, ["maps", "corrupt"]);
  const l1 = plan.stages.find((s) => s.id === "train.l1")!;
  assertEquals([l1.params.model, l1.retry?.attempts], ["l1", 2]);
  assertEquals(plan.stages.find((s) => s.id === "eval.cvae")!.inputs.model, {
    kind: "output",
    stage: "train.cvae",
    output: "model",
    type: "map-model",
  });
  assertEquals(plan.outputs.features.stage, "features.cgml");
});

Deno.test("matrix stages expand in order, the first key slowest, with typed matrix values", async () => {
  const plan = (await compileShipped("mnist-completion.yaml")).plan!;
  const ids = plan.stages.map((s) => s.id);
  assertEquals(ids.filter((id) => id.startsWith("train.")).slice(3, 7), [
    "train.cgml.p04",
    "train.l1.p01",
    "train.l1.p02",
    "train.l1.p03",
  ]);
  assertEquals(plan.stages.find((s) => s.id === "task.p03")!.params.box_rate, 0.3);
  const norho = plan.stages.find((s) => s.id === "eval.norho.p02")!;
  assertEquals(norho.params.momentum, false);
  assertEquals(
    [
      (norho.inputs.model as { stage: string }).stage,
      (norho.inputs.task as { stage: string }).stage,
    ],
    ["train.cgml.p02", "task.p02"],
  );
  assertEquals(plan.stages.find((s) => s.id === "eval.l1.p02")!.params.momentum, true);
});

Deno.test("after: names a matrix stage for all of its expansions", () => {
  const text = `version: 1
name: after-all
stages:
  data:
    uses: toy.data@1
  train:
    matrix:
      seed: [1, 2, 3]
    uses: toy.train@1
    with:
      data: \${{ stages.data.outputs.data }}
      seed: \${{ matrix.seed }}
  done:
    uses: toy.data@1
    after: [train]
`;
  const plan = compilePipeline({ file: "a.yaml", text }).plan!;
  assertEquals(plan.stages.find((s) => s.id === "done")!.deps, ["train.1", "train.2", "train.3"]);
  assertEquals(plan.stages.find((s) => s.id === "train.2")!.params.seed, 2);
});

Deno.test("plan reports stage params that an override makes invalid, naming the param", async () => {
  const result = await compileShipped("modelnet-zernike.yaml", [
    "backbone.width=2",
    "corruption.mask_min=0.5",
  ]);
  assertEquals(result.plan, undefined);
  const messages = result.errors.map((e) => `${e.path} ${e.message}`);
  assertEquals(messages, [
    "stages.corrupt.with Cannot use mask_min 0.5: it is above mask_max 0.3",
    ...["train.cgml", "train"].map((id) =>
      `stages.${id}.with.width Cannot accept 2: must be >= 4 (from params.backbone.width)`
    ),
  ]);
  const text = await Deno.readTextFile(new URL("modelnet-zernike.yaml", import.meta.url));
  const lines = text.split("\n");
  for (const e of result.errors.slice(1)) {
    assertEquals(lines[e.line - 1].trim(), "width: ${{ params.backbone.width }}");
  }
  assert(result.errors[2].line > result.errors[1].line, "the template's own line");
});

Deno.test("compilePipeline reports override-file errors with their own file and excerpt", () => {
  const text =
    "version: 1\nname: t\nparams:\n  seed: {type: int, default: 0}\nstages:\n  d:\n    uses: toy.data@1\n";
  const result = compilePipeline({
    file: "p.yaml",
    text,
    overrides: [{ file: "o.yaml", text: "params:\n  sed: 1\n" }],
  });
  assertEquals(
    formatDiagnostics(result.errors, result.sources),
    'o.yaml:2:3  params.sed  Cannot set param "sed": no such param (did you mean "seed"?)\n' +
      "  2 |   sed: 1\n    |   ^^^\n1 error\n",
  );
});

Deno.test("the README's matrix example validates and expands as its comments say", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const at = readme.indexOf("- **Matrix stages**");
  const start = readme.indexOf("```yaml\n", at) + "```yaml\n".length;
  const block = readme.slice(start, readme.indexOf("  ```", start));
  const text = "version: 1\nname: readme\nstages:\n  digits:\n    uses: dataset.mnist@1\n" + block;
  const result = compilePipeline({ file: "README.md", text });
  assert(result.plan !== undefined, formatDiagnostics(result.errors, result.sources));
  const ids = result.plan.stages.map((s) => s.id);
  assertEquals(ids.slice(0, 5), [
    "digits",
    "task.p01",
    "task.p02",
    "train.cgml.p01",
    "train.cgml.p02",
  ]);
  assertEquals(ids.slice(7, 10), ["eval.cgml.p01", "eval.cgml.p02", "eval.norho.p01"]);
  const report = result.plan.stages.find((s) => s.id === "report")!;
  const runs = report.inputs.runs as Record<string, Record<string, { stage: string }>>;
  assertEquals(Object.keys(runs), [
    "cgml_p01",
    "cgml_p02",
    "norho_p01",
    "norho_p02",
    "l1_p01",
    "l1_p02",
  ]);
  assertEquals(Object.keys(runs.norho_p01), ["metrics"]);
  assertEquals(runs.l1_p02.curves.stage, "train.l1.p02");
  const norho = result.plan.stages.find((s) => s.id === "eval.norho.p02")!;
  assertEquals([norho.params.momentum, (norho.inputs.model as { stage: string }).stage], [
    false,
    "train.cgml.p02",
  ]);
  const task = result.plan.stages.find((s) => s.id === "task.p02")!;
  assertEquals(task.params.box_rate, 0.2);
});
