import { FsStore } from "../infra/mod.ts";
import { compilePipeline } from "../pipelines/mod.ts";
import { runPlan } from "../worker/runner/mod.ts";
import { syntheticMeshes } from "../worker/data/mod.ts";
const dir = await Deno.makeTempDir();
const store = await FsStore.open(`${dir}/store`);
const files = syntheticMeshes({ classes: 2, trainPerClass: 3, testPerClass: 2, seed: 0, noise: 0.01, anisotropy: 0.03, dropParts: 0 });
for (const [p, t] of files) await store.put(`datasets/shapes/${p}`, t);
const sets = Deno.args;
const file = "/work/wt/dsstage/pipelines/modelnet-zernike.yaml";
const r = compilePipeline({ file, text: await Deno.readTextFile(file), sets });
if (!r.plan) { console.log(r.errors); Deno.exit(1); }
const t0 = performance.now();
const res = await runPlan(r.plan, { store, workDir: dir, datasets: { bucket: "cgml", cacheDir: `${dir}/objects` }, log: (t) => Deno.stderr.writeSync(new TextEncoder().encode(t)) });
console.log("total", (performance.now() - t0) / 1000, JSON.stringify(res.seconds));
const t1 = performance.now();
const res2 = await runPlan(r.plan, { store, workDir: dir, datasets: { bucket: "cgml", cacheDir: `${dir}/objects` }, log: () => {} });
console.log("rerun", (performance.now() - t1) / 1000, res2.decisions.map(d=>d.action).join(","));
await Deno.remove(dir, { recursive: true });
