import { assert, assertEquals, assertThrows } from "../testing/assert.ts";
import { compilePipeline } from "../pipelines/mod.ts";
import { parseToyArgs, summaryLines, toySets } from "./toy_cli.ts";

Deno.test("parseToyArgs reads the four options in both spellings", () => {
  assertEquals(parseToyArgs([]), { out: "out/toy" });
  assertEquals(parseToyArgs(["--csv", "a.csv", "--out=o", "--epochs", "3", "--seed=7"]), {
    csv: "a.csv",
    out: "o",
    epochs: 3,
    seed: 7,
  });
  assertEquals(parseToyArgs(["--help"]), "help");
  assertThrows(
    () => parseToyArgs(["--epochs", "x"]),
    Error,
    "--epochs needs a non-negative integer",
  );
  assertThrows(() => parseToyArgs(["--seed"]), Error, "--seed needs a value");
  assertThrows(() => parseToyArgs(["--what", "1"]), Error, 'unknown option "--what"');
});

Deno.test("the flags become params of the toy pipeline; a CSV gets the fixed-set settings", async () => {
  const file = new URL("../pipelines/toy-multimodal.yaml", import.meta.url);
  const text = await Deno.readTextFile(file);
  const plan = (sets: string[]) => {
    const result = compilePipeline({ file: file.pathname, text, sets });
    if (result.plan === undefined) throw new Error(result.errors[0].message);
    return Object.fromEntries(result.plan.stages.map((s) => [s.id, s.params]));
  };
  const defaults = plan(toySets({ out: "o" }));
  assertEquals([defaults.cgml.epochs, defaults.cgml.seed, defaults.data.csv], [30, 0, ""]);
  const csv = plan(toySets({ out: "o", csv: "12.csv", epochs: 3, seed: 2 }));
  assertEquals(csv.data.csv, "12.csv");
  assertEquals([csv.cgml.epochs, csv.l1.epochs, csv.evaluate.seed], [3, 3, 2]);
  assertEquals(
    [csv.cgml.latents, csv.cgml.latent_dim, csv.cgml.beta, csv.cgml.spectral_norm],
    ["persistent", 4, 0.3, ["g"]],
  );
  assertEquals(csv.cgml.output_scale, 10);
});

Deno.test("summaryLines shows phantom, coverage, hit rate and Chamfer per predictor", () => {
  const line = summaryLines({
    cgml: {
      chamfer: 0.25,
      coverage: { a: 0.5, b: 0.25 },
      phantom: 0.25,
      hitRate: 0.75,
      trainingSeconds: 1,
      inferenceSeconds: 1,
    },
  });
  assert(line.startsWith("cgml         phantom 0.250 coverage 0.50/0.25 hit 0.75 chamfer 0.250"));
});
