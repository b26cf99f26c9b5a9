/**
 * `deno task toy [--csv file] [--out dir] [--epochs n] [--seed n]`: the toy experiment of the
 * paper's Sec. 4 (see toy.ts). Writes `metrics.json` and `toy.svg` into the output directory
 * (default `out/toy`, ignored by git) and shows a progress bar on stderr.
 * @module
 */
import type { TrainProgress } from "./train.ts";
import { runToyExperiment, type ToyExperimentOptions } from "./toy.ts";
import { Gpu } from "../gpu/mod.ts";
import { loadGpuConfig } from "../../infra/mod.ts";

const USAGE = `usage: deno task toy [--csv file] [--out dir] [--epochs n] [--seed n]

Trains cGML and the plain L1 regressor on y = ±4(x, x², x³) (drawn fresh every epoch), or on
a CSV file with input columns x…, output columns y… and an optional integer column "mode"
(a fixed set), evaluates cGML, cGML w/o ρ, no move and L1, and writes metrics.json and toy.svg
into the output directory (default out/toy). Defaults: seed 1, 30 epochs.`;

/** Parsed command line. */
export interface ToyArgs {
  csv?: string;
  out: string;
  epochs?: number;
  seed: number;
}

/** Parses the command line; throws with a usage hint on bad input. */
export function parseToyArgs(args: readonly string[]): ToyArgs | "help" {
  const out: ToyArgs = { out: "out/toy", seed: 1 };
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

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--:--";
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** One progress line: bar, epoch, rate, ETA and the latest loss terms. */
export function progressLine(model: string, p: TrainProgress, width = 24): string {
  const frac = p.totalSteps > 0 ? p.step / p.totalSteps : 1;
  const filled = Math.round(frac * width);
  const bar = "█".repeat(filled) + "░".repeat(width - filled);
  const l = p.losses;
  const terms = !l
    ? ""
    : Number.isNaN(l.mover)
    ? ` fit ${l.fit.toFixed(3)}`
    : ` fit ${l.fit.toFixed(3)} Z ${l.mover.toFixed(3)} Ê₀ ${l.start.toFixed(3)} ρ ${
      l.rho.toFixed(3)
    }`;
  return `${model.padEnd(4)} ${bar} ${
    (frac * 100).toFixed(0).padStart(3)
  }% epoch ${p.epoch}/${p.epochs} ` +
    `${Math.round(p.samplesPerSecond)} samples/s ETA ${duration(p.etaSeconds)}${terms}`;
}

async function main(): Promise<void> {
  const args = parseToyArgs(Deno.args);
  if (args === "help") {
    console.log(USAGE);
    return;
  }
  const tty = Deno.stderr.isTerminal();
  const encoder = new TextEncoder();
  let lastDraw = 0;
  const onProgress: ToyExperimentOptions["onProgress"] = (model, p) => {
    const now = performance.now();
    const line = progressLine(model === "cgml" ? "cGML" : "L1", p);
    if (tty && (now - lastDraw > 100 || p.phase === "epoch")) {
      Deno.stderr.writeSync(encoder.encode(`\r\x1b[2K${line}`));
      lastDraw = now;
    }
    if (p.phase === "epoch" && (!tty || p.epoch === p.epochs)) {
      Deno.stderr.writeSync(encoder.encode(tty ? "\n" : `${line}\n`));
    }
  };
  const gpu = await Gpu.create(loadGpuConfig());
  const started = performance.now();
  try {
    const { report, svg } = await runToyExperiment(gpu, {
      csv: args.csv,
      seed: args.seed,
      epochs: args.epochs,
      onProgress,
    });
    await Deno.mkdir(args.out, { recursive: true });
    const metrics = { ...report, totalSeconds: (performance.now() - started) / 1000 };
    await Deno.writeTextFile(`${args.out}/metrics.json`, JSON.stringify(metrics, null, 2) + "\n");
    await Deno.writeTextFile(`${args.out}/toy.svg`, svg);
    for (const [name, m] of Object.entries(report.predictors)) {
      const cov = Object.values(m.coverage).map((c) => c.toFixed(2)).join("/");
      console.log(
        `${name.padEnd(12)} phantom ${m.phantom.toFixed(3)} coverage ${cov} hit ${
          m.hitRate.toFixed(2)
        } chamfer ${m.chamfer.toFixed(3)}`,
      );
    }
    console.log(
      `wrote ${args.out}/metrics.json and ${args.out}/toy.svg in ${duration(metrics.totalSeconds)}`,
    );
  } finally {
    gpu.destroy();
  }
}

if (import.meta.main) {
  try {
    await main();
  } catch (e) {
    console.error((e as Error).message);
    Deno.exit(1);
  }
}
