/**
 * Spectral transforms: shapes per second of the batched WGSL path (upload, one dispatch
 * chain, one readback per batch of 64) against the float64 CPU reference, measured in the
 * same run on the same shapes (M = 2048 surface points each): Zernike N = 16 and N = 20
 * (surface density) and SH L = 31 (cap-max extent on the 2× oversampled 128×128 DH grid).
 * Samples of the two paths alternate so both see the same machine load (`other_load` is the
 * share of CPU time other processes used meanwhile). One JSON line per case; `ratio` is WGSL
 * over CPU.
 *
 * `deno task bench spectral [zernike16|zernike20|sh31 ...]`, or run this file directly.
 * @module
 */
import { loadGpuConfig } from "../infra/mod.ts";
import { Gpu } from "../worker/gpu/mod.ts";
import {
  applyNormalization,
  defaultCapAngle,
  extentFromPoints,
  oversampledBandwidth,
  randomShape,
  sampleSurface,
  shapeNormalization,
  shForward,
  shFromPointsBatch,
  zernikeMoments,
  zernikeMomentsBatch,
} from "../worker/spectral/mod.ts";
import { type BenchSuite, emit, median, otherLoad, round } from "./lib.ts";

const BATCH = 64;
const POINTS = 2048;

interface Case {
  name: string;
  basis: "zernike" | "sh";
  order: number;
}

const CASES: Case[] = [
  { name: "zernike16", basis: "zernike", order: 16 },
  { name: "zernike20", basis: "zernike", order: 20 },
  { name: "sh31", basis: "sh", order: 31 },
];

/** 64 seeded random tori and ellipsoids, 2048 normalised surface points each. */
function shapes(): Float64Array[] {
  return Array.from({ length: BATCH }, (_, i) => {
    const mesh = randomShape(1000 + i);
    const norm = shapeNormalization(mesh);
    return sampleSurface(
      { vertices: applyNormalization(mesh.vertices, norm), triangles: mesh.triangles },
      POINTS,
      i,
    );
  });
}

/** Alternates samples of `a` and `b` so that both see the same machine load. */
async function timeAlternating(
  samples: number,
  a: () => Promise<unknown>,
  b: () => unknown,
): Promise<[number[], number[]]> {
  const out: [number[], number[]] = [[], []];
  for (let s = 0; s < samples; s++) {
    let t0 = performance.now();
    await a();
    out[0].push(performance.now() - t0);
    t0 = performance.now();
    b();
    out[1].push(performance.now() - t0);
  }
  return out;
}

/** Runs the selected cases (all when `args` is empty) and prints one JSON line each. */
export async function runSpectralBench(args: string[] = []): Promise<void> {
  const gpu = await Gpu.create({ ...loadGpuConfig(), log: null });
  const clouds = shapes();
  emit({
    bench: "spectral",
    case: "device",
    adapter: gpu.adapter.description,
    fallback: gpu.adapter.isFallback,
  });
  for (const c of CASES.filter((c) => args.length === 0 || args.includes(c.name))) {
    const b = oversampledBandwidth(c.order);
    const cap = defaultCapAngle(POINTS);
    const sets = clouds.map((points) => ({ points }));
    const gpuRun = () =>
      c.basis === "zernike"
        ? zernikeMomentsBatch(gpu, sets, c.order, { batchSize: BATCH })
        : shFromPointsBatch(gpu, clouds, c.order, {
          batchSize: BATCH,
          capAngle: cap,
          bandwidth: b,
        });
    const cpuOne = (p: Float64Array) =>
      c.basis === "zernike"
        ? zernikeMoments(p, c.order)
        : shForward(extentFromPoints(p, b, cap), b, c.order);
    const t0 = performance.now();
    const warm = await gpuRun();
    const compileMs = performance.now() - t0;
    const reference = clouds.map(cpuOne);
    const load = otherLoad();
    const [gpuTimes, cpuTimes] = await timeAlternating(3, gpuRun, () => clouds.forEach(cpuOne));
    let worst = 0;
    let scale = 0;
    reference.forEach((ref, i) => {
      for (let k = 0; k < ref.length; k++) {
        worst = Math.max(worst, Math.abs(warm[i][k] - ref[k]));
        scale = Math.max(scale, Math.abs(ref[k]));
      }
    });
    const wgsl = (BATCH * 1000) / median(gpuTimes);
    const cpu = (BATCH * 1000) / median(cpuTimes);
    emit({
      bench: "spectral",
      case: c.name,
      basis: c.basis,
      order: c.order,
      points: POINTS,
      batch: BATCH,
      wgsl_shapes_per_s: round(wgsl),
      cpu_shapes_per_s: round(cpu),
      ratio: round(wgsl / cpu, 3),
      wgsl_ms_per_batch: round(median(gpuTimes)),
      cpu_ms_per_batch: round(median(cpuTimes)),
      first_batch_ms: round(compileMs),
      max_abs_err_over_max: round(worst / scale, 2),
      other_load: load.stop(),
    });
  }
  gpu.destroy();
}

const suite: BenchSuite = {
  description: "spectral: Zernike N=16/20 and SH L=31 shapes/s, WGSL batch of 64 vs CPU f64",
  run: runSpectralBench,
};

export default suite;

if (import.meta.main) await runSpectralBench(Deno.args);
