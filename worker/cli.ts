/**
 * `deno task cgml validate|plan|run <file.yaml> [-f overrides.yaml] [--set a.b=v] [--out DIR]
 * [--resume RUN_ID]`. `run` executes the plan (worker/runner/) against the object store
 * configured as for the worker (`CGML_STORE`, `CGML_BUCKET`, `CGML_S3_ACCESS_KEY`,
 * `CGML_S3_SECRET_KEY`; default the filesystem store in `.cache/store`), prints a
 * results table and writes the pipeline outputs into DIR (default `out/<pipeline>`):
 * `results.json`, `report.html`, `features.csv`, … (named by output and format; a bundle of
 * files, such as an inference's reconstructions, as a folder).
 * `deno task cgml dataset push|ls …` manages datasets in the bucket (worker/data/dataset_cli.ts);
 * `deno task cgml infer --model … --input …` runs a published model (worker/infer_cli.ts).
 * @module
 */
import { dirname, join, resolve } from "node:path";
import {
  ARTIFACT_TYPES,
  type CliContext,
  type Command,
  COMMANDS,
  compileFiles,
  formatDiagnostics,
  main,
} from "../pipelines/mod.ts";
import {
  ConfigError,
  loadStoreConfig,
  type ObjectStore,
  openConfiguredStore,
} from "../infra/mod.ts";
import { datasetCommand, terminalIo } from "./data/mod.ts";
import { inferCommand } from "./infer_cli.ts";
import { unpackFiles } from "./stages/mod.ts";
import type { ImageResults, Results } from "./report/mod.ts";
import { formatSeconds, type ProgressStyle, runPlan } from "./runner/mod.ts";

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
  "map",
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
  const keys = RESULT_KEYS.filter((k) => rows.some(([, r]) => r[k] !== undefined));
  const w = Math.max(5, ...rows.map(([m]) => m.length));
  const cell = (v: number | undefined) =>
    (v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(3)).padStart(16);
  return [
    `${"model".padEnd(w)}${keys.map((k) => k.padStart(16)).join("")}`,
    ...rows.map(([m, r]) => `${m.padEnd(w)}${keys.map((k) => cell(r[k])).join("")}`),
  ].join("\n") + "\n";
}

/**
 * `run`: executes the pipeline and writes its outputs; stage progress is drawn as
 * `progressStyle` says (a bar on a terminal, plain lines in a file or CI log).
 */
export function runCommand(
  store: () => Promise<ObjectStore>,
  workDir: string,
  progressStyle: ProgressStyle = "lines",
  bucket = "cgml",
): Command {
  return {
    summary: "run a pipeline (cached stages are restored), write its outputs into --out",
    options: ["out", "resume"],
    async run(args, ctx: CliContext) {
      const result = await compileFiles(args, ctx.io);
      if (result === undefined) return 1;
      const plan = result.plan;
      if (plan === undefined) {
        ctx.io.stderr(formatDiagnostics(result.errors, result.sources));
        return 1;
      }
      const started = performance.now();
      try {
        const run = await runPlan(plan, {
          store: await store(),
          workDir,
          fingerprint: ctx.fingerprint,
          resume: args.resume,
          log: ctx.io.stderr,
          progressStyle,
          bucket,
        });
        const out = args.out ?? join("out", plan.name);
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
        if (results !== undefined) {
          ctx.io.stdout(formatResults(JSON.parse(new TextDecoder().decode(results))));
        }
        const hits = run.decisions.filter((d) => d.action === "HIT").length;
        ctx.io.stdout(
          `run ${run.id}: ${hits}/${run.decisions.length} stages from cache, ${
            formatSeconds((performance.now() - started) / 1000)
          }; outputs in ${out}\n`,
        );
        return 0;
      } catch (e) {
        ctx.io.stderr(`Cannot run "${args.file}": ${e instanceof Error ? e.message : String(e)}\n`);
        return 1;
      }
    },
  };
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
  const run = runCommand(() => Promise.resolve(store), resolve(".cache", "cgml"), style, bucket);
  Deno.exit(await main(Deno.args, { commands: { ...COMMANDS, run }, store }));
}
