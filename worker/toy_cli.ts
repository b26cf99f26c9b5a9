/**
 * `deno task toy [--csv file] [--out dir] [--epochs n] [--seed n]`: the paper's toy experiment
 * (Sec. 4, Fig. 3), which is the pipeline `pipelines/toy-multimodal.yaml` — this command runs it
 * with the flags as params (like `deno task cgml run`, against the same store and cache) and
 * writes its outputs `metrics.json` and `toy.svg` into the output directory (default `out/toy`,
 * ignored by git).
 * @module
 */
import { join, resolve } from "node:path";
import { compilePipeline, fingerprintPath, formatDiagnostics } from "../pipelines/mod.ts";
import { PERSISTENT_PRESET } from "./cgml/mod.ts";
import { openStore } from "./cli.ts";
import type { PredictorReport } from "./models/mod.ts";
import { formatSeconds, runPlan } from "./runner/mod.ts";

const PIPELINE = new URL("../pipelines/toy-multimodal.yaml", import.meta.url);

const USAGE = `usage: deno task toy [--csv file] [--out dir] [--epochs n] [--seed n]

Runs pipelines/toy-multimodal.yaml: trains cGML and the plain L1 regressor on y = ±4(x, x², x³)
(drawn fresh every epoch), or on a CSV file with input columns x…, output columns y… and an
optional integer column "mode" (a fixed set, trained with persistent latents, d = 4, β = 0.3 and
spectral norm on G), evaluates cGML, cGML w/o ρ, no move and L1, and writes metrics.json and
toy.svg into the output directory (default out/toy). Epochs and seed default to the pipeline's
(30 and 0).`;

/** Parsed command line. */
export interface ToyArgs {
  csv?: string;
  out: string;
  epochs?: number;
  seed?: number;
}

/** Parses the command line; throws with a usage hint on bad input. */
export function parseToyArgs(args: readonly string[]): ToyArgs | "help" {
  const out: ToyArgs = { out: "out/toy" };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split(/=(.*)/s, 2);
    if (flag === "--help" || flag === "-h") return "help";
    const value = inline ?? args[++i];
    if (value === undefined) {
      throw new Error(`Cannot parse arguments: ${flag} needs a value\n${USAGE}`);
    }
    const int = () => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) {
        throw new Error(
          `Cannot parse arguments: ${flag} needs a non-negative integer, got "${value}"`,
        );
      }
      return n;
    };
    switch (flag) {
      case "--csv":
        out.csv = value;
        break;
      case "--out":
        out.out = value;
        break;
      case "--epochs":
        out.epochs = int();
        break;
      case "--seed":
        out.seed = int();
        break;
      default:
        throw new Error(`Cannot parse arguments: unknown option "${flag}"\n${USAGE}`);
    }
  }
  return out;
}

/**
 * The pipeline's `--set`s for the flags: epochs, seed, and for a CSV the file and the fixed-set
 * settings of cGML (`PERSISTENT_PRESET`: persistent latents, d = 4, β = 0.3, spectral norm on G
 * with output scale 10, the pipeline's default).
 */
export function toySets(args: ToyArgs): string[] {
  const sets: string[] = [];
  if (args.epochs !== undefined) sets.push(`epochs=${args.epochs}`);
  if (args.seed !== undefined) sets.push(`seed=${args.seed}`);
  if (args.csv !== undefined) {
    const p = PERSISTENT_PRESET;
    sets.push(
      `data.csv=${args.csv}`,
      `cgml.latents=${p.latents}`,
      `cgml.latent_dim=${p.latentDim}`,
      `cgml.beta=${p.beta}`,
      `cgml.spectral_norm=${p.G?.spectralNorm ? "[g]" : "[]"}`,
    );
  }
  return sets;
}

/** One summary line per predictor. */
export function summaryLines(predictors: Record<string, PredictorReport>): string {
  return Object.entries(predictors).map(([name, m]) => {
    const cov = Object.values(m.coverage).map((c) => c.toFixed(2)).join("/");
    return `${name.padEnd(12)} phantom ${m.phantom.toFixed(3)} coverage ${cov} hit ${
      m.hitRate.toFixed(2)
    } chamfer ${m.chamfer.toFixed(3)}\n`;
  }).join("");
}

async function main(): Promise<number> {
  const args = parseToyArgs(Deno.args);
  if (args === "help") {
    console.log(USAGE);
    return 0;
  }
  const file = PIPELINE.pathname;
  const compiled = compilePipeline({
    file,
    text: await Deno.readTextFile(PIPELINE),
    sets: toySets(args),
  });
  if (compiled.plan === undefined) {
    console.error(formatDiagnostics(compiled.errors, compiled.sources));
    return 1;
  }
  const started = performance.now();
  const run = await runPlan(compiled.plan, {
    store: await openStore(),
    workDir: resolve(".cache", "cgml"),
    fingerprint: fingerprintPath,
    progressStyle: Deno.stderr.isTerminal() ? "bar" : "lines",
  });
  await Deno.mkdir(args.out, { recursive: true });
  const metrics = await run.artifact("evaluate", "metrics");
  await Deno.writeFile(join(args.out, "metrics.json"), metrics);
  await Deno.writeFile(join(args.out, "toy.svg"), await run.artifact("evaluate", "figure"));
  const { predictors } = JSON.parse(new TextDecoder().decode(metrics));
  console.log(summaryLines(predictors).trimEnd());
  const took = formatSeconds((performance.now() - started) / 1000);
  console.log(`wrote ${args.out}/metrics.json and ${args.out}/toy.svg in ${took}`);
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (e) {
    console.error((e as Error).message);
    Deno.exit(1);
  }
}
