import { Gpu } from "./worker/gpu/mod.ts";
import { matmul } from "./worker/gpu/kernels/mod.ts";
import { Rng } from "./worker/lib/mod.ts";
import type { GemmVariantName } from "./worker/gpu/kernels/gemm_variants.ts";
const gpu = await Gpu.create({ log: null });
function cpuMs() {
  const own = Deno.readTextFileSync("/proc/self/stat");
  const f = own.slice(own.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
}
const rng = new Rng(1);
const shapes = (Deno.args[1] ?? "1024,1024,1024").split(";").map((s) => s.split(",").map(Number));
for (const [m, n, k] of shapes) {
  const a = gpu.tensor(rng.uniformArray(m * k), [m, k]);
  const b = gpu.tensor(rng.uniformArray(k * n), [k, n]);
  for (const v of Deno.args[0].split(",") as GemmVariantName[]) {
    let t0 = performance.now();
    matmul(a, b, { variant: v }).dispose();
    await gpu.sync();
    const first = performance.now() - t0;
    const times = [];
    const cpus = [];
    for (let s = 0; s < 4; s++) {
      t0 = performance.now();
      const c0 = cpuMs();
      const reps = 3;
      for (let r = 0; r < reps; r++) matmul(a, b, { variant: v }).dispose();
      await gpu.sync();
      times.push((performance.now() - t0) / reps);
      cpus.push((cpuMs() - c0) / reps / 2);
    }
    cpus.sort((x, y) => x - y);
    times.sort((x, y) => x - y);
    console.log(JSON.stringify({ m, n, k, v, first_ms: Math.round(first), ms: times[1].toFixed(1), gflops: (2 * m * n * k / times[1] / 1e6).toFixed(1), cpu_gflops: (2 * m * n * k / cpus[1] / 1e6).toFixed(1) }));
  }
}
gpu.destroy();
