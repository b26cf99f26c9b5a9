import { assert, assertEquals } from "../testing/assert.ts";
import { paramSpecErrors, paramValueError, resolveParams } from "./params.ts";
import type { ParamSpec } from "./schema.ts";

const decls: Record<string, ParamSpec> = {
  seed: { type: "int", default: 0, min: 0 },
  sigma: { type: "float", default: 0.02, min: 0, max: 1 },
  name: { type: "string", default: "run" },
  basis: { type: "enum", values: ["zernike", "sh"], default: "zernike" },
  fast: { type: "bool", default: false },
  classes: { type: "list", default: ["a"] },
  dataset: { type: "object", default: { root: "", points: 2048, split: { train: 0.8 } } },
};

Deno.test("paramValueError checks types, ranges and enum values", () => {
  assertEquals(paramValueError(decls.seed, 3), undefined);
  assertEquals(paramValueError(decls.seed, 1.5), "expected an integer");
  assertEquals(paramValueError(decls.seed, -1), "must be >= 0");
  assertEquals(paramValueError(decls.sigma, 2), "must be <= 1");
  assertEquals(
    paramValueError(decls.basis, "hs"),
    `expected one of "zernike", "sh" (did you mean "sh"?)`,
  );
  assertEquals(paramValueError(decls.basis, 3), `expected one of "zernike", "sh"`);
  assertEquals(
    paramValueError(decls.basis, "zernik"),
    'expected one of "zernike", "sh" (did you mean "zernike"?)',
  );
  assertEquals(paramValueError(decls.fast, "yes"), "expected true or false");
  assertEquals(paramValueError(decls.classes, "a"), "expected a list");
  assertEquals(paramValueError(decls.dataset, [1]), "expected a mapping");
});

Deno.test("paramSpecErrors checks the default and min <= max", () => {
  assertEquals(paramSpecErrors({ type: "int", default: 5, min: 3, max: 1 }).map((e) => e.key), [
    "max",
    "default",
  ]);
  assertEquals(paramSpecErrors(decls.sigma), []);
});

Deno.test("resolveParams: defaults < override files in order < --set in order", () => {
  const files = [
    { file: "a.yaml", text: "params:\n  sigma: 0.1\n  dataset: {points: 1024}\n" },
    { file: "b.yaml", text: "params:\n  sigma: 0.2\n  dataset: {split: {train: 0.5}}\n" },
  ];
  const r = resolveParams(decls, files, [
    "sigma=0.3",
    "params.sigma=0.05",
    "dataset.root=/data/ModelNet10",
  ]);
  assertEquals(r.errors, []);
  assertEquals(r.values.sigma, 0.05);
  assertEquals(r.values.dataset, { root: "/data/ModelNet10", points: 1024, split: { train: 0.5 } });
  assertEquals(r.values.seed, 0);
  assertEquals([...r.sources.keys()], ["a.yaml", "b.yaml"]);
  assertEquals(decls.dataset.default, { root: "", points: 2048, split: { train: 0.8 } });
});

Deno.test("resolveParams reads --set values as YAML, but keeps text for string targets", () => {
  const r = resolveParams(decls, [], [
    "name=123",
    "basis=sh",
    "fast=true",
    "classes=[chair, table]",
    "seed=7",
  ]);
  assertEquals(r.errors, []);
  assertEquals(r.values.name, "123");
  assertEquals(r.values.basis, "sh");
  assertEquals(r.values.fast, true);
  assertEquals(r.values.classes, ["chair", "table"]);
  assertEquals(r.values.seed, 7);
});

Deno.test("resolveParams reports every bad override with a suggestion", () => {
  const r = resolveParams(
    decls,
    [{ file: "o.yaml", text: "params:\n  sigm: 0.1\n  dataset: {pionts: 1}\n" }],
    ["seed=-1", "dataset.points=many", "sigma.x=1", "noequals", "dataset.split.train=[1]"],
  );
  const messages = r.errors.map((e) => `${e.file}:${e.line} ${e.path} ${e.message}`);
  assertEquals(messages, [
    'o.yaml:2 params.sigm Cannot set param "sigm": no such param (did you mean "sigma"?)',
    'o.yaml:3 params.dataset.pionts Cannot set "dataset.pionts": no such key (did you mean "points"?)',
    '--set seed=-1:0 params.seed Cannot set param "seed" to -1: must be >= 0',
    '--set dataset.points=many:0 params.dataset.points Cannot set "dataset.points" to "many": expected a number',
    '--set sigma.x=1:0 params.sigma.x Cannot set "sigma.x": param "sigma" is float, not object',
    '--set noequals:0 params.noequals Cannot read --set: expected "name=value" or "name.key=value"',
    '--set dataset.split.train=[1]:0 params.dataset.split.train Cannot set "dataset.split.train" to a list: expected a number',
  ]);
});

Deno.test("resolveParams rejects unsafe override files", () => {
  const r = resolveParams(decls, [{ file: "o.yaml", text: "params:\n  seed: !!js/function x\n" }]);
  assert(r.errors[0].message.includes("tags are not allowed"));
  const s = resolveParams(decls, [{ file: "o.yaml", text: "param:\n  seed: 1\n" }]);
  assertEquals(s.errors.map((e) => e.message), [
    'Cannot find required key "params"',
    'Cannot accept key "param": unknown key (did you mean "params"?)',
  ]);
});
