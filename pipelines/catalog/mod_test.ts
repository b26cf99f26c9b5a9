import { assert, assertEquals } from "../../testing/assert.ts";
import { acceptedTypes, ARTIFACT_TYPES, CATALOG, findStageType, stageTypeId } from "./mod.ts";
import { IDENTIFIER } from "../schema.ts";

Deno.test("catalog: names the stage types of the ModelNet, toy and image pipelines", () => {
  const names = [...CATALOG.keys()].sort();
  assertEquals(names, [
    "baseline.train@1",
    "cgml.train@1",
    "classifier.linear@1",
    "classifier.linear@2",
    "dataset.images@1",
    "dataset.mnist@1",
    "dataset.modelnet@1",
    "dataset.synthetic_shapes@1",
    "eval.denoise@1",
    "features.extract@1",
    "images.evaluate@1",
    "images.task@1",
    "images.train@1",
    "maps.corrupt@1",
    "model.features@1",
    "model.infer@1",
    "model.load@1",
    "model.publish@1",
    "report.html@1",
    "report.images@1",
    "spectral.maps@1",
    "toy.data@1",
    "toy.evaluate@1",
    "toy.train@1",
  ]);
});

Deno.test("catalog: inputs and outputs use known artifact types and identifier names", () => {
  for (const t of CATALOG.values()) {
    for (const [name, type] of Object.entries(t.outputs)) {
      assert(IDENTIFIER.test(name), `${stageTypeId(t)} output ${name}`);
      assert(Object.hasOwn(ARTIFACT_TYPES, type), `${stageTypeId(t)} output ${name}: ${type}`);
    }
    for (const [name, input] of Object.entries(t.inputs)) {
      assert(IDENTIFIER.test(name), `${stageTypeId(t)} input ${name}`);
      const types = "type" in input
        ? acceptedTypes(input)
        : Object.values(input.table).map((c) => c.type);
      for (const type of types) {
        assert(Object.hasOwn(ARTIFACT_TYPES, type), `${stageTypeId(t)} ${name}: ${type}`);
      }
      assert(
        !Object.hasOwn(t.params.shape, name),
        `${stageTypeId(t)}: ${name} is both param and input`,
      );
    }
    for (const name of t.reads ?? []) {
      assert(Object.hasOwn(t.params.shape, name), `${stageTypeId(t)} reads ${name}`);
    }
  }
});

Deno.test("catalog: every param has a default except the model and task choices", () => {
  const required: Record<string, Record<string, string>> = {
    "baseline.train": { model: "l1" },
    "images.train": { model: "cgml" },
    "images.task": { kind: "completion" },
  };
  for (const t of CATALOG.values()) {
    const parsed = t.params.safeParse(required[t.name] ?? {});
    assert(parsed.success, `${stageTypeId(t)}: ${parsed.error?.message}`);
  }
  for (const name of Object.keys(required)) {
    assert(!findStageTypeOrThrow(`${name}@1`).params.safeParse({}).success, name);
  }
});

Deno.test("catalog: defaults follow the toy reference and the spectral defaults", () => {
  const toy = findStageTypeOrThrow("toy.train@1").params.parse({});
  assertEquals(
    [
      toy.width,
      toy.hidden,
      toy.latent_dim,
      toy.beta,
      toy.inner_steps,
      toy.alpha,
      toy.batch,
      toy.epochs,
      toy.latents,
    ],
    [64, 32, 8, 1, 5, 1, 128, 30, "fresh"],
  );
  const maps = findStageTypeOrThrow("spectral.maps@1").params.parse({});
  assertEquals([maps.basis, maps.order, maps.clip], ["zernike", 16, 5]);
  const corrupt = findStageTypeOrThrow("maps.corrupt@1").params.parse({});
  assertEquals([corrupt.mask_min, corrupt.mask_max, corrupt.sigma, corrupt.noise_fraction], [
    0.1,
    0.3,
    0.5,
    0.25,
  ]);
});

Deno.test("findStageType suggests names and versions", () => {
  assertEquals(stageTypeId(findStageTypeOrThrow("cgml.train@1")), "cgml.train@1");
  assertEquals(findStageType("cgml.trian@1"), {
    error: 'Cannot find stage type "cgml.trian@1" (did you mean "cgml.train@1"?)',
  });
  assertEquals(findStageType("cgml.train@3"), {
    error: 'Cannot find stage type "cgml.train@3": versions of "cgml.train" are 1',
  });
  assertEquals(findStageType("cgml.train"), {
    error: 'Cannot use "cgml.train": name a version, e.g. "cgml.train@1"',
  });
  assertEquals(findStageType("shell@1"), { error: 'Cannot find stage type "shell@1"' });
});

function findStageTypeOrThrow(uses: string) {
  const t = findStageType(uses);
  if ("error" in t) throw new Error(t.error);
  return t;
}

Deno.test("dataset.images takes max_objects for generated colour-mode images only", () => {
  const type = findStageType("dataset.images@1");
  assert(!("error" in type), "dataset.images@1 is in the catalog");
  const check = (params: Record<string, unknown>) =>
    type.check?.(type.params.parse(params), new Set());
  assertEquals(check({ generator: "colour_modes", max_objects: 1 }), undefined);
  assertEquals(check({ generator: "colour_modes", max_objects: 2 }), undefined);
  assert(check({ max_objects: 1 })?.includes("colour_modes images only"));
  assert(check({ generator: "colour_modes", root: "/photos", max_objects: 3 })?.includes("root"));
});
