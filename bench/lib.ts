/**
 * Helpers shared by the benchmark suites: the suite interface, JSON-line output, GPU timing
 * (many operations per submit, one wait per sample, median of samples) and the TF.js webgpu
 * peer running on the same adapter in the same process.
 */

/** One benchmark suite, selected by name on the command line of bench/main.ts. */
export interface BenchSuite {
  /** One line shown by `bench/main.ts` without arguments. */
  description: string;
  /** Runs the suite; `args` are the command-line arguments after the suite name. */
  run(args: string[]): Promise<void>;
}

/** Prints one result as a single JSON line on stdout. */
export function emit(record: Record<string, unknown>): void {
  console.log(JSON.stringify(record));
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Rounds to `digits` significant digits (for readable JSON). */
export function round(x: number, digits = 4): number {
  return Number(x.toPrecision(digits));
}

/**
 * Something to time on a GPU: `record` enqueues one operation without waiting; `flush`
 * submits everything enqueued and waits until the GPU has finished it.
 */
export interface Timed {
  record: () => void;
  flush: () => Promise<void>;
}

/** Sampling settings of {@link timePair}. */
export interface TimingOptions {
  /** Target duration of one sample in milliseconds (default 300). */
  sampleMs?: number;
  /** Samples per side (default 5). */
  samples?: number;
  /**
   * Share of the CPUs other processes may use during a sample (default 0.1): before each
   * sample the machine gets up to 1 s to become that idle; a sample that started on an idle
   * machine but exceeded the share is taken once more. On a machine that stays busy the
   * samples are taken anyway, and `otherLoad` in the stats says so.
   */
  maxOtherLoad?: number;
}

/** Milliseconds per operation, over the samples. */
export interface TimingStats {
  median: number;
  min: number;
  max: number;
  /** Operations per sample. */
  reps: number;
  /** Mean share of the CPUs used by other processes during the kept samples (see otherLoad). */
  otherLoad: number | null;
}

/**
 * Times `a` and `b` (e.g. ours and a peer): a warm-up run of each (pipeline compilation), a
 * calibration of the operations per sample so one sample takes about `sampleMs` (the ~11 ms
 * wait floor of Deno's WebGPU then costs a few per cent), then samples alternating between the
 * two so both see the same machine load. Each sample records `reps` operations and waits once;
 * samples are gated on the machine being otherwise idle (see {@link TimingOptions}).
 */
export async function timePair(
  a: Timed,
  b: Timed,
  opts: TimingOptions = {},
): Promise<[TimingStats, TimingStats]> {
  const sampleMs = opts.sampleMs ?? 300;
  const reps = [await calibrate(a, sampleMs), await calibrate(b, sampleMs)];
  const runs: Sample[][] = [[], []];
  for (let s = 0; s < (opts.samples ?? 5); s++) {
    for (const [i, t] of [a, b].entries()) runs[i].push(await gatedSample(t, reps[i], opts));
  }
  return [stats(runs[0], reps[0]), stats(runs[1], reps[1])];
}

/** Times one side alone, like {@link timePair}. */
export async function time(t: Timed, opts: TimingOptions = {}): Promise<TimingStats> {
  const reps = await calibrate(t, opts.sampleMs ?? 300);
  const runs: Sample[] = [];
  for (let s = 0; s < (opts.samples ?? 5); s++) runs.push(await gatedSample(t, reps, opts));
  return stats(runs, reps);
}

interface Sample {
  ms: number;
  load: number | null;
}

async function gatedSample(t: Timed, reps: number, opts: TimingOptions): Promise<Sample> {
  const limit = opts.maxOtherLoad ?? 0.1;
  let s: Sample = { ms: Infinity, load: null };
  for (let attempt = 0; attempt < 2; attempt++) {
    const idle = await waitIdle(limit, 1000);
    const load = otherLoad();
    const ms = await sample(t, reps);
    s = { ms, load: load.stop() };
    if (!idle || s.load === null || s.load <= limit) break;
  }
  return s;
}

/** Waits until other processes use at most `limit` of the CPUs; false after `maxWaitMs`. */
async function waitIdle(limit: number, maxWaitMs: number): Promise<boolean> {
  const end = performance.now() + maxWaitMs;
  while (performance.now() < end) {
    const load = otherLoad();
    await new Promise((r) => setTimeout(r, 200));
    const l = load.stop();
    if (l === null || l <= limit) return true;
  }
  return false;
}

async function sample(t: Timed, reps: number): Promise<number> {
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) t.record();
  await t.flush();
  return (performance.now() - t0) / reps;
}

async function calibrate(t: Timed, sampleMs: number): Promise<number> {
  await sample(t, 1);
  let reps = 1;
  for (;;) {
    const perOp = await sample(t, reps);
    const want = Math.max(1, Math.round(sampleMs / perOp));
    if (want <= reps * 2 || perOp * reps >= sampleMs / 2) return want;
    reps = Math.min(want, reps * 8);
  }
}

function stats(runs: Sample[], reps: number): TimingStats {
  const times = runs.map((r) => r.ms);
  const loads = runs.map((r) => r.load).filter((l): l is number => l !== null);
  return {
    median: median(times),
    min: Math.min(...times),
    max: Math.max(...times),
    reps,
    otherLoad: loads.length ? round(loads.reduce((x, y) => x + y, 0) / loads.length, 2) : null,
  };
}

/**
 * Share of the machine's CPU time used by other processes between `start()` and `stop()`
 * (0 = idle machine, 1 = every core busy elsewhere), from /proc; null where /proc is missing.
 * Reported beside results because the benchmark machine's cores may be shared.
 */
export function otherLoad(): { stop(): number | null } {
  const before = cpuTicks();
  return {
    stop() {
      const after = cpuTicks();
      if (!before || !after) return null;
      const total = after.total - before.total;
      const others = after.busy - before.busy - (after.self - before.self);
      return total > 0 ? round(Math.max(0, others / total), 2) : null;
    },
  };
}

function cpuTicks(): { busy: number; total: number; self: number } | null {
  try {
    const cpu = Deno.readTextFileSync("/proc/stat").split("\n")[0].trim().split(/\s+/).slice(1)
      .map(Number);
    const total = cpu.reduce((s, v) => s + v, 0);
    const busy = total - cpu[3] - (cpu[4] ?? 0);
    const own = Deno.readTextFileSync("/proc/self/stat");
    const fields = own.slice(own.lastIndexOf(")") + 2).split(" ");
    return { busy, total, self: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** The parts of TF.js's webgpu backend the benchmarks touch. */
interface WebGpuBackend {
  device: GPUDevice;
  /** Null when TF.js has just submitted on its own (every 15 dispatches) and nothing is open. */
  commandEncoder: GPUCommandEncoder | null;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

/** TF.js (tfjs-core + tfjs-backend-webgpu) ready to run on the WebGPU adapter. */
export interface TfjsPeer {
  /** The tfjs-core namespace. */
  tf: typeof import("@tensorflow/tfjs-core");
  /** Peer label for the JSON lines. */
  name: string;
  /** Ends TF.js's open compute pass, submits, waits, and throws on any GPU error. */
  flush(): Promise<void>;
}

/**
 * Loads TF.js with its webgpu backend. Create the engine's own {@link Gpu} first: it prepares
 * the environment Mesa needs. Flushing ends TF.js's open compute pass before submitting; a bare
 * `submitQueue()` with the pass open raises validation errors and silently yields zeros, so GPU
 * errors are collected and thrown.
 */
export async function setupTfjs(): Promise<TfjsPeer> {
  const tf = await import("@tensorflow/tfjs-core");
  await import("@tensorflow/tfjs-backend-webgpu");
  if (!(await tf.setBackend("webgpu"))) {
    throw new Error("Cannot start TF.js: the webgpu backend failed to initialise");
  }
  await tf.ready();
  const backend = tf.backend() as unknown as WebGpuBackend;
  const errors: string[] = [];
  backend.device.addEventListener("uncapturederror", (ev) => {
    errors.push((ev as GPUUncapturedErrorEvent).error.message);
  });
  return {
    tf,
    name: "tfjs-webgpu",
    async flush() {
      if (backend.commandEncoder !== null) {
        backend.endComputePassEncoder();
        backend.submitQueue();
      }
      await backend.device.queue.onSubmittedWorkDone();
      if (errors.length > 0) {
        throw new Error(`Cannot trust TF.js results: GPU errors: ${errors.splice(0).join(" | ")}`);
      }
    },
  };
}
