/**
 * `deno task cgml validate|plan|run <file.yaml> [-f overrides.yaml] [--set a.b=v] [--out DIR]
 * [--resume RUN_ID]`. `run` executes the plan (worker/runner.ts) against the object store
 * (`CGML_STORE`, a store URL; default the filesystem store in `.cache/cgml/store`), prints a
 * results table and writes the pipeline outputs into DIR (default `out/<pipeline>`):
 * `results.json`, `report.html`, `features.csv`, ….
 * @module
 */
import { join, resolve } from "node:path";
import {
  type CliContext,
  type Command,
  COMMANDS,
  compileFiles,
  formatDiagnostics,
  main,
} from "../pipelines/mod.ts";
import { createStore, FsStore, loadGpuConfig, type ObjectStore } from "../infra/mod.ts";
import { Gpu, type GpuOptions } from "./gpu/mod.ts";
import { formatSeconds, runPlan } from "./runner.ts";
import type { Results } from "./stages/report_html.ts";
import type { ImageResults } from "./stages/report_images.ts";

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

/** `run`: executes the pipeline and writes its outputs (on a device made with `gpu`). */
export function runCommand(
  store: () => Promise<ObjectStore>,
  workDir: string,
  gpu: GpuOptions = {},
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
      let device: Promise<Gpu> | undefined;
      try {
        const run = await runPlan(plan, {
          store: await store(),
          workDir,
          fingerprint: ctx.fingerprint,
          resume: args.resume,
          log: ctx.io.stderr,
          gpu: () => device ??= Gpu.create({ ...gpu, log: (l) => ctx.io.stderr(`${l}\n`) }),
        });
        const out = args.out ?? join("out", plan.name);
        await Deno.mkdir(out, { recursive: true });
        let results: Uint8Array | undefined;
        for (const [name, ref] of Object.entries(plan.outputs)) {
          const bytes = await run.artifact(ref.stage, ref.output);
          await Deno.writeFile(join(out, EXTENSIONS[name] ?? name), bytes);
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
      } finally {
        if (device) (await device).destroy();
      }
    },
  };
}

/** Opens the configured store: `CGML_STORE` (a store URL) or `.cache/cgml/store`. */
export function openStore(): Promise<ObjectStore> {
  const url = Deno.env.get("CGML_STORE");
  return url ? createStore(url) : FsStore.open(resolve(".cache", "cgml", "store"));
}

if (import.meta.main) {
  const store = await openStore();
  const run = runCommand(() => Promise.resolve(store), resolve(".cache", "cgml"), loadGpuConfig());
  Deno.exit(await main(Deno.args, { commands: { ...COMMANDS, run }, store }));
}
