/**
 * `deno task cgml validate|plan|run <file.yaml> [-f overrides.yaml] [--set a.b=v] [--out DIR]
 * [--resume RUN_ID] [--seeds 0,1,2]`. `run` executes the plan (worker/runner/) against the object
 * store configured as for the worker (`CGML_STORE`, `CGML_BUCKET`, `CGML_S3_ACCESS_KEY`,
 * `CGML_S3_SECRET_KEY`; default the filesystem store in `.cache/store`), prints a
 * results table and writes the pipeline outputs into DIR (default `out/<pipeline>`):
 * `results.json`, `report.html`, `features.csv`, … (named by output and format; a bundle of
 * files, such as an inference's reconstructions, as a folder). With `--seeds`, it runs the
 * pipeline once per seed (its `seed` param) into `DIR/seed-N/`, all sharing the stage cache, then
 * writes the mean ± std of every number of their results.json and the claims those intervals
 * support into `DIR/results.json` and `DIR/report.html`, and prints the table
 * (worker/report/seeds.ts).
 * `deno task cgml dataset push|ls …` manages datasets in the bucket (worker/data/dataset_cli.ts);
 * `deno task cgml infer --model … --input …` runs a published model (worker/infer_cli.ts).
 * @module
 */
import { dirname, join, resolve } from "node:path";
import {
  ARTIFACT_TYPES,
  type CliArgs,
  type CliContext,
  type Command,
  COMMANDS,
  compileFiles,
  fingerprintRoots,
  formatDiagnostics,
  main,
  type Plan,
} from "../pipelines/mod.ts";
import {
  ConfigError,
  datasetRootFingerprint,
  describeDatasetChange,
  loadGpuConfig,
  loadStoreConfig,
  type ObjectStore,
  openConfiguredStore,
} from "../infra/mod.ts";
import { datasetCommand, terminalIo } from "./data/mod.ts";
import { aggregateRuns } from "./eval/mod.ts";
import { Gpu, type GpuOptions } from "./gpu/mod.ts";
import {
  aggregateSeeds,
  formatColourModes,
  formatSeedResults,
  type ImageResults,
  type Results,
  seedPage,
  type SeedRun,
} from "./report/mod.ts";
import { formatSeconds, type ProgressStyle, type RunDatasets, runPlan } from "./runner/mod.ts";
import { inferCommand } from "./infer_cli.ts";
import { unpackFiles } from "./stages/mod.ts";

const EXTENSIONS: Record<string, string> = {
  report: "report.html",
  results: "results.json",
  features: "features.csv",
  metrics: "metrics.json",
  figure: "figure.svg",
};

const RESULT_KEYS = [
  "psnr",
  "psnr_best",
  "ssim",
  "l1",
  "l1_best",
  "diversity",
  "modes_found",
  "map",
  "map_reconstruction",
  "linear_accuracy",
  "box",
  "no_box",
  "between",
  "train_seconds",
];

/**
 * The results table printed after a run: one row per model (`{title, models}` results of the
 * map reports) or per model and condition (image reports: model → condition → metrics).
 */
export function formatResults(results: Results | ImageResults): string {
  const rows: [string, Record<string, number>][] = "models" in results &&
      typeof results.title === "string"
    ? Object.entries((results as Results).models)
    : Object.entries(results as ImageResults).flatMap(([model, conditions]) =>
      Object.entries(conditions).map(([c, r]): [string, Record<string, number>] => [
        `${model} ${c}`,
        r,
      ])
    );
  const keys = RESULT_KEYS.filter((k) => rows.some(([, r]) => typeof r[k] === "number"));
  const w = Math.max(5, ...rows.map(([m]) => m.length));
  const cell = (v: number | undefined) =>
    (v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(3)).padStart(16);
  const shown = rows.filter(([, r]) => keys.some((k) => typeof r[k] === "number"));
  const modes = "models" in results ? "" : formatColourModes(aggregateRuns([results]));
  return [
    `${"model".padEnd(w)}${keys.map((k) => k.padStart(16)).join("")}`,
    ...shown.map(([m, r]) => `${m.padEnd(w)}${keys.map((k) => cell(r[k])).join("")}`),
  ].join("\n") + "\n" + modes;
}

/** Options of {@link runCommand}. */
export interface RunCommandOptions {
  /** Stage progress: a bar on a terminal, plain lines in a file or CI log (default). */
  progressStyle?: ProgressStyle;
  /** How the device is made. */
  gpu?: GpuOptions;
  /** The bucket and object cache of `s3://` dataset roots. */
  datasets?: RunDatasets;
}

/** What one run of a plan wrote. */
interface WrittenRun {
  /** The bytes of its `results` output, when it has one. */
  results?: Uint8Array;
  /** `run <id>: h/n stages from cache, <time>; outputs in <dir>`. */
  summary: string;
}

/** Runs `plan` and writes its outputs and run record into `out`. */
type PlanRunner = (plan: Plan, out: string, resume?: string) => Promise<WrittenRun>;

/**
 * `run`: executes the pipeline and writes its outputs, or with `--seeds` once per seed and their
 * aggregate.
 */
export function runCommand(
  store: () => Promise<ObjectStore>,
  workDir: string,
  options: RunCommandOptions = {},
): Command {
  return {
    summary: "run a pipeline (cached stages are restored), write its outputs into --out; " +
      "--seeds runs it once per seed and reports mean ± std",
    options: ["out", "resume", "seeds"],
    async run(args, ctx: CliContext) {
      const result = await compileFiles(args, ctx.io);
      if (result === undefined) return 1;
      const plan = result.plan;
      if (plan === undefined) {
        ctx.io.stderr(formatDiagnostics(result.errors, result.sources));
        return 1;
      }
      let device: Promise<Gpu> | undefined;
      const runOne: PlanRunner = async (plan, out, resume) => {
        const started = performance.now();
        const run = await runPlan(plan, {
          store: await store(),
          workDir,
          datasets: options.datasets,
          fingerprint: ctx.fingerprint,
          resume,
          log: ctx.io.stderr,
          progressStyle: options.progressStyle ?? "lines",
          gpu: () => device ??= Gpu.create({ ...options.gpu, log: (l) => ctx.io.stderr(`${l}\n`) }),
        });
        await Deno.mkdir(out, { recursive: true });
        let results: Uint8Array | undefined;
        for (const [name, ref] of Object.entries(plan.outputs)) {
          const bytes = await run.artifact(ref.stage, ref.output);
          const format: string = ARTIFACT_TYPES[ref.type].format;
          if (format === "files") {
            for (const [path, file] of unpackFiles(bytes)) {
              await Deno.mkdir(dirname(join(out, name, path)), { recursive: true });
              await Deno.writeFile(join(out, name, path), file);
            }
            continue;
          }
          const ext = format === "binary" || format === "folder" ? "" : `.${format}`;
          await Deno.writeFile(join(out, EXTENSIONS[name] ?? `${name}${ext}`), bytes);
          if (name === "results") results = bytes;
        }
        await Deno.writeTextFile(join(out, "run.lock.json"), JSON.stringify(run.record, null, 2));
        const hits = run.decisions.filter((d) => d.action === "HIT").length;
        const seconds = (performance.now() - started) / 1000;
        return {
          results,
          summary: `run ${run.id}: ${hits}/${run.decisions.length} stages from cache, ${
            formatSeconds(seconds)
          }; outputs in ${out}\n`,
        };
      };
      try {
        if (args.seeds !== undefined) return await runSeeds(plan, args, ctx, runOne);
        const written = await runOne(plan, args.out ?? join("out", plan.name), args.resume);
        if (written.results !== undefined) {
          ctx.io.stdout(formatResults(JSON.parse(new TextDecoder().decode(written.results))));
        }
        ctx.io.stdout(written.summary);
        return 0;
      } catch (e) {
        ctx.io.stderr(`Cannot run "${args.file}": ${e instanceof Error ? e.message : String(e)}\n`);
        return 1;
      } finally {
        if (device) (await device).destroy();
      }
    },
  };
}

/**
 * `run --seeds`: the pipeline once per seed into `DIR/seed-N/` (the seed set last, over `-f`
 * and `--set`), then the aggregate of their results.json into `DIR/results.json` and
 * `DIR/report.html`, and its table printed.
 */
async function runSeeds(
  base: Plan,
  args: CliArgs,
  ctx: CliContext,
  runOne: PlanRunner,
): Promise<number> {
  const refuse = (message: string) => {
    ctx.io.stderr(`Cannot use --seeds: ${message}\n`);
    return 1;
  };
  if (args.resume !== undefined) {
    return refuse("resume one seed's run (its id is in DIR/seed-N/run.lock.json) without it");
  }
  if (!Object.hasOwn(base.params, "seed")) {
    return refuse(`pipeline "${base.name}" has no seed param`);
  }
  if (args.sets.some((s) => s.slice(0, s.indexOf("=")).trim() === "seed")) {
    return refuse("it sets the seed param; leave out --set seed=…");
  }
  const out = args.out ?? join("out", base.name);
  const runs: SeedRun[] = [];
  for (const seed of args.seeds!) {
    const compiled = await compileFiles({ ...args, sets: [...args.sets, `seed=${seed}`] }, ctx.io);
    if (compiled?.plan === undefined) {
      if (compiled) ctx.io.stderr(formatDiagnostics(compiled.errors, compiled.sources));
      return 1;
    }
    const folder = `seed-${seed}`;
    const written = await runOne(compiled.plan, join(out, folder));
    ctx.io.stdout(`seed ${seed}: ${written.summary}`);
    if (written.results === undefined) continue;
    runs.push({ seed, folder, results: JSON.parse(new TextDecoder().decode(written.results)) });
  }
  if (runs.length === 0) {
    ctx.io.stdout(`pipeline "${base.name}" has no results output: nothing to aggregate\n`);
    return 0;
  }
  const aggregate = aggregateSeeds(base.name, runs);
  const title = typeof runs[0].results.title === "string" ? runs[0].results.title : base.name;
  await Deno.writeTextFile(join(out, "results.json"), JSON.stringify(aggregate, null, 2));
  await Deno.writeTextFile(join(out, "report.html"), seedPage(aggregate, title, RESULT_KEYS));
  ctx.io.stdout(
    `${formatSeedResults(aggregate, RESULT_KEYS)}aggregate of ${runs.length} seeds in ${out}\n`,
  );
  return 0;
}

/** Opens the store configured exactly as the worker's (`loadStoreConfig`). */
export async function openStore(): Promise<ObjectStore> {
  return await openConfiguredStore(loadStoreConfig());
}

if (import.meta.main) {
  const store = await openStore().catch((e) => {
    console.error(e instanceof ConfigError ? e.message : `Cannot open the store: ${e.message}`);
    Deno.exit(2);
  });
  if (Deno.args[0] === "dataset") {
    const io = terminalIo();
    Deno.exit(
      await datasetCommand(Deno.args.slice(1), { store, bucket: loadStoreConfig().bucket, io }),
    );
  }
  if (Deno.args[0] === "infer") {
    const io = terminalIo();
    Deno.exit(
      await inferCommand(Deno.args.slice(1), {
        store: () => Promise.resolve(store),
        bucket: loadStoreConfig().bucket,
        objectCache: resolve(".cache", "cgml", "objects"),
        stdout: io.stdout,
        stderr: io.stderr,
      }),
    );
  }
  const style = Deno.stderr.isTerminal() ? "bar" : "lines";
  const bucket = loadStoreConfig().bucket;
  const workDir = resolve(".cache", "cgml");
  const run = runCommand(() => Promise.resolve(store), workDir, {
    progressStyle: style,
    gpu: loadGpuConfig(),
    datasets: { bucket, cacheDir: join(workDir, "objects") },
  });
  Deno.exit(
    await main(Deno.args, {
      commands: { ...COMMANDS, run },
      store,
      fingerprint: fingerprintRoots(datasetRootFingerprint(store, bucket)),
      describeChange: (before, after) => describeDatasetChange(store, before, after),
    }),
  );
}
