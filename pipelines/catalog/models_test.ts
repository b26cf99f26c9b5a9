import { assert, assertEquals } from "../../testing/assert.ts";
import { planRun } from "../cache.ts";
import { compilePipeline } from "../plan.ts";

const compile = (text: string, sets: string[] = []) =>
  compilePipeline({ file: "p.yaml", text, sets });

const PUBLISH = `version: 1
name: p
params:
  publish: { type: string, default: "" }
stages:
  data:
    uses: toy.data@1
  train:
    uses: toy.train@1
    with: { data: "\${{ stages.data.outputs.data }}" }
  publish:
    uses: model.publish@1
    with:
      name: \${{ params.publish }}
      model: \${{ stages.train.outputs.model }}
`;

Deno.test("model stages are never cached and say why; publish takes a model of any kind", async () => {
  const result = compile(PUBLISH, ["publish=curves"]);
  assert(result.plan !== undefined, result.errors.map((e) => e.message).join("\n"));
  const publish = result.plan.stages.find((s) => s.id === "publish")!;
  assertEquals([publish.cache, publish.params.name], [false, "curves"]);
  const decisions = await planRun(result.plan, { store: null, previous: null });
  assertEquals(decisions.map((d) => [d.action, d.reason]), [
    ["MISS", "no cache store"],
    ["MISS", 'upstream "data" will run'],
    ["RUN", "publishes to models/ (nothing when the same files are published already)"],
  ]);
  const infer = await Deno.readTextFile(new URL("../infer.yaml", import.meta.url));
  const plan = compile(infer, ["model=curves@2", "dataset=s3://cgml/datasets/x/"]).plan!;
  assertEquals(plan.stages.map((s) => s.cache), [false, false]);
});

Deno.test("an input of several types names them all; a bad name or both inputs are errors", () => {
  const wrongType = compile(
    PUBLISH.replace("stages.train.outputs.model", "stages.data.outputs.data"),
  );
  assertEquals(
    wrongType.errors.map((e) => e.message),
    [
      'Cannot pass "toy-data" from ${{ stages.data.outputs.data }} to input "model" of ' +
      'model.publish@1: expected "map-model" or "toy-model" or "image-model"',
    ],
  );
  const badName = compile(PUBLISH, ["publish=Bad Name"]);
  assert(
    badName.errors[0].message.includes("must be empty or a model name"),
    badName.errors[0].message,
  );
  const infer = Deno.readTextFileSync(new URL("../infer.yaml", import.meta.url));
  const both = compile(infer, ["model=m", "dataset=/x", "inputs=[[1]]"]);
  assertEquals(both.errors.map((e) => e.message), [
    'Cannot infer: give "dataset" or "inputs", not both',
  ]);
  const badRef = compile(infer, ["model=m@v2", "dataset=/x"]);
  assert(
    badRef.errors[0].message.includes("must name a published model"),
    badRef.errors[0].message,
  );
});
