/**
 * `deno task spectral <file...> [--basis zernike|sh] [--order N] [--points M] [--out dir]
 * [--solid] [--grid G] [--seed S] [--cpu]`
 *
 * Reads meshes or point lists, computes their Zernike or SH coefficients (batched on the
 * GPU unless --cpu or no adapter), and writes coefficients.json, invariants.json, map.json,
 * map.png, reconstruction.ply, reconstruction.png and metrics.json per file (into --out, or
 * --out/<file name> when several files are given). A progress line tracks long batches.
 */
import { Gpu, type GpuOptions } from "../gpu/mod.ts";
import { loadGpuConfig } from "../../infra/mod.ts";
import { readShapeFile } from "./io/read.ts";
import { writeResult } from "./outputs.ts";
import { analyzeShapes, type Basis, type SpectralOptions } from "./pipeline.ts";
import type { Shape } from "./shape.ts";

const USAGE = `Usage: deno task spectral <file...> [options]

Files: .off .obj .ply (meshes or point clouds), .xyz .pts .csv .txt (point lists)

Options:
  --basis zernike|sh   3D Zernike moments (default) or spherical harmonics of the extent function
  --order N            Zernike order N (default 16) or SH degree L (default 15)
  --points M           surface samples of a mesh (default 2048); resamples a point list
  --out DIR            output folder (default spectral_out)
  --solid              Zernike moments of the voxelised solid instead of the surface (meshes)
  --grid G             voxel grid side for solids, reconstruction and IoU (default 64)
  --seed S             seed of the sampling (default 0)
  --cpu                use the float64 CPU reference instead of WebGPU
  --help               show this text`;

/** Parsed command line. */
export interface CliArgs {
  files: string[];
  out: string;
  cpu: boolean;
  options: SpectralOptions;
}

/** Parses the command line; throws a RangeError naming the bad argument. */
export function parseArgs(argv: readonly string[]): CliArgs | null {
  const files: string[] = [];
  let basis: Basis = "zernike";
  let order: number | undefined;
  let points: number | undefined;
  let grid: number | undefined;
  let seed = 0;
  let out = "spectral_out";
  let cpu = false;
  let solid = false;
  const int = (flag: string, v: string | undefined, lo: number, hi: number) => {
    const n = Number(v);
    if (v === undefined || !/^\d+$/.test(v) || n < lo || n > hi) {
      throw new RangeError(`Cannot use ${flag} ${v ?? ""}: expected an integer in [${lo}, ${hi}]`);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") return null;
    else if (a === "--basis") {
      const v = argv[++i];
      if (v !== "zernike" && v !== "sh") {
        throw new RangeError(`Cannot use --basis ${v ?? ""}: expected zernike or sh`);
      }
      basis = v;
    } else if (a === "--order") order = int(a, argv[++i], 0, 64);
    else if (a === "--points") points = int(a, argv[++i], 1, 1 << 24);
    else if (a === "--grid") grid = int(a, argv[++i], 8, 256);
    else if (a === "--seed") seed = int(a, argv[++i], 0, 0xffffffff);
    else if (a === "--out") {
      const v = argv[++i];
      if (!v) throw new RangeError("Cannot use --out without a folder");
      out = v;
    } else if (a === "--cpu") cpu = true;
    else if (a === "--solid") solid = true;
    else if (a.startsWith("--")) throw new RangeError(`Cannot use unknown option ${a}`);
    else files.push(a);
  }
  if (files.length === 0) throw new RangeError("Cannot run without an input file");
  if (solid && basis !== "zernike") throw new RangeError("Cannot use --solid with --basis sh");
  return {
    files,
    out,
    cpu,
    options: { basis, order: order ?? (basis === "zernike" ? 16 : 15), points, grid, seed, solid },
  };
}

/** A progress reporter writing one updating line to stderr. */
export function progressLine(label: string): (done: number, total: number) => void {
  const start = performance.now();
  const tty = Deno.stderr.isTerminal();
  const enc = new TextEncoder();
  return (done, total) => {
    const secs = (performance.now() - start) / 1000;
    const rate = done / Math.max(secs, 1e-9);
    const eta = rate > 0 ? (total - done) / rate : 0;
    const line = `[spectral] ${label} ${done}/${total} shapes (${rate.toFixed(1)} shapes/s, ETA ${
      eta.toFixed(0)
    } s)`;
    Deno.stderr.writeSync(enc.encode(tty ? `\r${line}${done === total ? "\n" : ""}` : `${line}\n`));
  };
}

/** Runs the command on a device made with `gpu` (default: the adapter's fixed profile). */
export async function main(
  argv: readonly string[],
  gpuOptions: GpuOptions = {},
): Promise<number> {
  let args: CliArgs | null;
  try {
    args = parseArgs(argv);
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (!args) {
    console.log(USAGE);
    return 0;
  }
  let failed = 0;
  const shapes: { name: string; shape: Shape; dir: string }[] = [];
  for (const file of args.files) {
    try {
      const base = file.slice(file.lastIndexOf("/") + 1).replace(/\.[^.]*$/, "");
      const dir = args.files.length === 1 ? args.out : `${args.out}/${base}`;
      shapes.push({ name: file, shape: await readShapeFile(file), dir });
    } catch (e) {
      failed++;
      console.error((e as Error).message);
    }
  }
  if (shapes.length === 0) return 1;
  let gpu: Gpu | null = null;
  if (!args.cpu) {
    try {
      gpu = await Gpu.create({ ...gpuOptions, log: null });
    } catch (e) {
      console.error(`[spectral] no WebGPU (${(e as Error).message}); using the CPU reference`);
    }
  }
  const backend = gpu ? `webgpu (${gpu.adapter.description})` : "cpu (float64 reference)";
  const t0 = performance.now();
  try {
    const results = await analyzeShapes(shapes, {
      ...args.options,
      onProgress: shapes.length > 1 ? progressLine("transform") : undefined,
    }, gpu);
    const seconds = (performance.now() - t0) / 1000;
    for (let i = 0; i < results.length; i++) {
      const r = results[i];
      await writeResult(shapes[i].dir, r, { backend, seconds: Number(seconds.toFixed(3)) });
      console.log(
        `${r.name}: ${r.basis} order ${r.order}, IoU ${r.metrics.voxelIou.toFixed(3)}, Chamfer ${
          r.metrics.chamfer.toFixed(4)
        } -> ${shapes[i].dir}`,
      );
    }
  } catch (e) {
    console.error((e as Error).message);
    return 1;
  } finally {
    gpu?.destroy();
  }
  return failed > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args, loadGpuConfig()));
