/**
 * The start-up autotune: for each kernel family with variants, time the candidates on the
 * adapter at hand for one representative problem per shape class, keep the fastest, and cache
 * the table per adapter + driver so it runs once.
 *
 * Bounded: a time budget (10 s by default) stops it between measurements; classes it did not
 * reach keep the profile's default, the record says `complete: false`, and the next start
 * continues from there. Within a family the classes go from small to large work, and a
 * candidate more than 3× slower than the best of a class is not tried on the larger ones (on a CPU adapter the workgroup-memory tiles lose by
 * about 10× and would cost seconds at 1024³). A candidate clearly slower after one operation is
 * not timed further. Times are the minimum over samples, so a briefly busy machine does not
 * decide the choice.
 * @module
 */
import type { Gpu } from "../device.ts";
import {
  type AdapterIdentity,
  adapterKey,
  readTuneFile,
  TUNE_FILE,
  type TuneRecord,
  writeTuneRecord,
} from "./cache.ts";
import type { TunedTable } from "./choices.ts";
import type { PreparedProblem, TuneFamily } from "./families.ts";

/** Options of {@link tuneKernels}. */
export interface TuneOptions {
  /** Who is being tuned (the cache key). */
  identity: AdapterIdentity;
  /** The families, candidates and problems to measure. */
  families: readonly TuneFamily[];
  /** Folder of the cache file; null: measure without caching. */
  cacheDir: string | null;
  /** Time budget in milliseconds (default 10 000). */
  budgetMs?: number;
  /** Where warnings and the one report line go. */
  log: (line: string) => void;
}

/** The table in force and where it came from. */
export interface TuneOutcome {
  record: TuneRecord;
  /** True when read from the cache (no measurement this time). */
  fromCache: boolean;
  /** The cache file, or null without a cache folder. */
  path: string | null;
}

/** A candidate much slower than the best is dropped (this class) and not tried on larger ones. */
const PRUNE_FACTOR = 3;
/** Target duration of one timed sample. */
const SAMPLE_MS = 40;

/**
 * Loads the adapter's table from the cache, or measures it (and caches it). A cached tuning
 * that ran out of budget is continued where it stopped (each start stays within the budget).
 * A budget of 0 measures nothing: the cached table, complete or not, or the defaults.
 */
export async function tuneKernels(gpu: Gpu, opts: TuneOptions): Promise<TuneOutcome> {
  const key = adapterKey(opts.identity);
  const path = opts.cacheDir === null ? null : `${opts.cacheDir}/${TUNE_FILE}`;
  let earlier: TuneRecord | null = null;
  if (opts.cacheDir !== null) {
    const cached = readTuneFile(opts.cacheDir, opts.log)[key];
    earlier = cached?.complete === false ? cached : null;
    if (cached?.complete) {
      opts.log(
        `[gpu] kernel choices from ${path} (tuned ${cached.tunedAt} in ${
          (cached.ms / 1000).toFixed(1)
        } s): ${summary(cached.table)}`,
      );
      return { record: cached, fromCache: true, path };
    }
  }
  if (opts.budgetMs === 0) {
    const record = earlier ?? emptyRecord(key);
    opts.log(`[gpu] kernel choices without tuning (budget 0): ${summary(record.table)}`);
    return { record, fromCache: earlier !== null, path };
  }
  const record = await measure(gpu, key, opts, earlier);
  if (opts.cacheDir !== null) writeTuneRecord(opts.cacheDir, key, record, opts.log);
  opts.log(
    `[gpu] kernels tuned on "${opts.identity.description}" in ${(record.ms / 1000).toFixed(1)} s${
      record.complete
        ? ""
        : " (budget ran out: the rest keeps the profile's defaults until the next start)"
    }${path ? `, cached in ${path}` : ""}: ${summary(record.table)}`,
  );
  return { record, fromCache: false, path };
}

function emptyRecord(key: string): TuneRecord {
  const tunedAt = new Date().toISOString();
  return { adapter: key, tunedAt, ms: 0, complete: false, table: {}, timings: {} };
}

/** `family: class=variant, …; …` for the report line. */
export function summary(table: TunedTable): string {
  return Object.entries(table)
    .map(([f, classes]) =>
      `${f} ${Object.entries(classes).map(([c, v]) => `${c}=${v}`).join(", ")}`
    )
    .join("; ");
}

async function measure(
  gpu: Gpu,
  key: string,
  opts: TuneOptions,
  earlier: TuneRecord | null,
): Promise<TuneRecord> {
  const start = performance.now();
  const deadline = start + (opts.budgetMs ?? 10_000);
  const table = copy(earlier?.table ?? {});
  const timings = copy(earlier?.timings ?? {});
  const families = opts.families.map((f) => ({
    f,
    alive: pruned(f.candidates, Object.values(timings[f.family] ?? {})),
    problems: [...f.problems].sort((a, b) => a.work - b.work),
  }));
  let complete = true;
  /** The longest measurement so far: the next one starts only if that much time is left. */
  let maxCost = 0;
  /** Measurements of this start: the first always runs, so every start makes progress. */
  let measuredNow = 0;
  const rounds = Math.max(...families.map((x) => x.problems.length));
  // Round r measures the r-th smallest class of every family, so a budget that runs out
  // leaves each family with its smaller classes tuned rather than some families with none.
  // A class's measurements are kept as they come, so the next start goes on from there.
  for (let r = 0; r < rounds; r++) {
    for (const fam of families) {
      const prob = fam.problems[r];
      if (!prob || table[fam.f.family]?.[prob.shapeClass]) continue;
      const times = { ...timings[fam.f.family]?.[prob.shapeClass] };
      const todo = fam.alive.filter((c) => !(c in times));
      if (todo.length > 0 && complete) {
        const prepared = prob.prepare(gpu);
        for (const cand of todo) {
          if (measuredNow > 0 && performance.now() + maxCost >= deadline) {
            complete = false;
            break;
          }
          const t0 = performance.now();
          times[cand] = await timeCandidate(gpu, prepared, cand, times).catch((e) => {
            opts.log(`[gpu] tuning: ${fam.f.family} ${cand} failed on ${prob.shapeClass}: ${e}`);
            return null;
          });
          maxCost = Math.max(maxCost, performance.now() - t0);
          measuredNow++;
        }
        prepared.dispose();
        (timings[fam.f.family] ??= {})[prob.shapeClass] = times;
      }
      const measured = Object.entries(times).filter((e): e is [string, number] => e[1] !== null);
      if (fam.alive.some((c) => !(c in times)) || measured.length === 0) continue;
      const [best] = measured.reduce((x, y) => (y[1] < x[1] ? y : x));
      (table[fam.f.family] ??= {})[prob.shapeClass] = best;
      fam.alive = pruned(fam.alive, [times]);
    }
  }
  return {
    adapter: key,
    tunedAt: new Date().toISOString(),
    ms: Math.round(performance.now() - start) + (earlier?.ms ?? 0),
    complete,
    table,
    timings,
  };
}

/**
 * `candidates` without those that failed or were more than {@link PRUNE_FACTOR}× slower than
 * the best of a class in `classes` (measurements in ms, null: failed).
 */
function pruned(
  candidates: readonly string[],
  classes: readonly Readonly<Record<string, number | null>>[],
): string[] {
  return candidates.filter((c) =>
    classes.every((t) => {
      if (!(c in t)) return true;
      const ms = t[c];
      const best = Math.min(...Object.values(t).filter((v): v is number => v !== null));
      return ms !== null && ms <= PRUNE_FACTOR * best;
    })
  );
}

function copy<T>(nested: Readonly<Record<string, Readonly<Record<string, T>>>>) {
  return Object.fromEntries(
    Object.entries(nested).map(([k, v]) => [k, { ...v }]),
  ) as Record<string, Record<string, T>>;
}

/**
 * Milliseconds per operation of `cand`: one operation to compile, one timed alone, then, unless
 * already clearly slower than the best so far, two samples of several operations per wait.
 * Rejects when the candidate cannot run the problem (after clearing what was recorded).
 */
async function timeCandidate(
  gpu: Gpu,
  p: PreparedProblem,
  cand: string,
  times: Readonly<Record<string, number | null>>,
): Promise<number> {
  try {
    p.run(cand);
    await gpu.sync();
  } catch (e) {
    await gpu.sync().catch(() => {});
    throw e;
  }
  let t = await sample(gpu, p, cand, 1);
  const best = Math.min(...Object.values(times).filter((v): v is number => v !== null));
  if (t > PRUNE_FACTOR * best) return Math.round(t * 1000) / 1000;
  const reps = Math.max(1, Math.min(64, Math.ceil(SAMPLE_MS / Math.max(t, 0.01))));
  for (let s = 0; s < (t >= SAMPLE_MS ? 1 : 2); s++) {
    t = Math.min(t, await sample(gpu, p, cand, reps));
  }
  return Math.round(t * 1000) / 1000;
}

async function sample(gpu: Gpu, p: PreparedProblem, cand: string, reps: number): Promise<number> {
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) p.run(cand);
  await gpu.sync();
  return (performance.now() - t0) / reps;
}
