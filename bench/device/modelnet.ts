/**
 * Device-check step `modelnet`: `pipelines/modelnet-zernike.yaml` end to end from an empty
 * store (a fresh folder) with `--set` overrides, one JSON line per stage with its seconds and
 * one with the total and the results table.
 *
 * Usage: `deno run -A bench/device/modelnet.ts [--set a.b=v]… [--dir DIR]`; configuration of
 * the device from the environment.
 * @module
 */
import { FsStore, loadGpuConfig } from "../../infra/mod.ts";
import { compilePipeline, formatDiagnostics } from "../../pipelines/mod.ts";
import { Gpu } from "../../worker/gpu/mod.ts";
import { runPlan } from "../../worker/runner/mod.ts";
import { jsonLine } from "./args.ts";

const PIPELINE = new URL("../../pipelines/modelnet-zernike.yaml", import.meta.url).pathname;

if (import.meta.main) {
  const sets: string[] = [];
  let dir = "";
  for (let i = 0; i < Deno.args.length; i += 2) {
    if (Deno.args[i] === "--set") sets.push(Deno.args[i + 1]);
    else if (Deno.args[i] === "--dir") dir = Deno.args[i + 1];
    else throw new Error(`Cannot use ${Deno.args[i]}: expected --set a.b=v or --dir DIR`);
  }
  dir ||= await Deno.makeTempDir({ prefix: "cgml-modelnet-" });
  const compiled = compilePipeline({ file: PIPELINE, text: Deno.readTextFileSync(PIPELINE), sets });
  if (!compiled.plan) {
    console.error(formatDiagnostics(compiled.errors, compiled.sources));
    Deno.exit(1);
  }
  const gpu = await Gpu.create({ ...loadGpuConfig(), log: (l) => console.error(l) });
  const store = await FsStore.open(`${dir}/store`);
  const t0 = performance.now();
  const run = await runPlan(compiled.plan, {
    store,
    workDir: `${dir}/work`,
    gpu: () => Promise.resolve(gpu),
    log: (t) => Deno.stderr.writeSync(new TextEncoder().encode(t)),
  });
  const total = (performance.now() - t0) / 1000;
  for (const [stage, seconds] of Object.entries(run.seconds)) {
    console.log(jsonLine("modelnet", { stage, seconds: Number(seconds.toFixed(2)) }));
  }
  const ref = compiled.plan.outputs.results;
  const results = JSON.parse(new TextDecoder().decode(await run.artifact(ref.stage, ref.output)));
  console.log(
    jsonLine("modelnet", { stage: "total", seconds: Number(total.toFixed(2)), sets, results }),
  );
  gpu.destroy();
}
