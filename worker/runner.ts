/**
 * Executes a plan: every stage in dependency order is decided (HIT / MISS / RUN, with the
 * reason), HITs restore their stored outputs, the others run with their retry policy, and their
 * outputs are stored content-addressed (`artifacts/<sha256>`) with a cache record. A progress
 * line per stage shows epochs, loss and ETA; `progress` receives the same as structured
 * {@link RunProgress}. Training stages checkpoint to `<workDir>/runs/<run id>/<stage>.ckpt`, so
 * `resume` continues a killed or aborted run there. `signal` stops the run between stages and,
 * through the stage context, inside training epochs: the run rejects with the signal's reason.
 * @module
 */
import { dirname, join } from "node:path";
import {
  type ArtifactRecord,
  cacheKey,
  decide,
  type Decision,
  durationMs,
  type Fingerprint,
  inputRefs,
  lastRunKey,
  type Plan,
  type PlannedStage,
  readRunRecord,
  recordKey,
  type RunRecord,
  stageRecord,
} from "../pipelines/mod.ts";
import type { ObjectStore } from "../infra/mod.ts";
import { Gpu } from "./gpu/mod.ts";
import { STAGES } from "./stages/mod.ts";
import type { StageImpl, StageProgress } from "./stages/types.ts";

/** Options of {@link runPlan}. */
export interface RunOptions {
  store: ObjectStore;
  /** Where checkpoints of running stages live. */
  workDir: string;
  fingerprint?: Fingerprint;
  /** Continue this run id (its checkpoints are reused); default: a new id. */
  resume?: string;
  /** Progress and decision lines (default: stderr). */
  log?: (text: string) => void;
  /** Stage implementations by stage type name (default: {@link STAGES}). */
  stages?: Readonly<Record<string, StageImpl>>;
  /** The device (default: created on first use and destroyed at the end). */
  gpu?: () => Promise<Gpu>;
  /** Stops the run between stages and inside training epochs (checkpoints are kept). */
  signal?: AbortSignal;
  /** Structured progress: every stage's start and end, and its reports in between. */
  progress?: (p: RunProgress) => void;
}

/** Where a run is, as reported to {@link RunOptions.progress}. */
export interface RunProgress {
  /** Stage id. */
  stage: string;
  /** 0-based position of the stage in the plan. */
  index: number;
  /** Stages in the plan. */
  stages: number;
  /** `start`, `running` (the stage's own reports), `done` or `cached` (a HIT). */
  phase: "start" | "running" | "done" | "cached";
  /** What the stage counts ("epoch", "shapes", …), with `done` of `total`. */
  unit?: string;
  done?: number;
  total?: number;
  /** Current epoch (1-based) and epochs, when the stage trains. */
  epoch?: number;
  epochs?: number;
  /** Latest loss, when training. */
  loss?: number;
  /** Estimated seconds left in the stage. */
  eta?: number;
  /** Share of the whole run done, 0..1 (every stage weighs the same). */
  fraction: number;
}

/** What a run did. */
export interface RunResult {
  id: string;
  record: RunRecord;
  decisions: Decision[];
  /** Seconds per stage (0 for HITs). */
  seconds: Record<string, number>;
  /** Reads a stored artifact of a stage. */
  artifact(stage: string, output: string): Promise<Uint8Array>;
}

/** A new run id, sortable by time. */
export function newRunId(): string {
  return `r_${new Date().toISOString().replace(/[-:.TZ]/g, "").slice(0, 14)}_${
    crypto.randomUUID().slice(0, 6)
  }`;
}

/** Hex sha256 of bytes. */
export async function sha256Bytes(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Runs every stage of `plan`. */
export async function runPlan(plan: Plan, opts: RunOptions): Promise<RunResult> {
  const log = opts.log ?? ((t: string) => void Deno.stderr.writeSync(new TextEncoder().encode(t)));
  const stages = opts.stages ?? STAGES;
  const store = opts.store;
  const id = opts.resume ?? newRunId();
  const previous = await readRunRecord(store, plan.name);
  const outputs = new Map<string, Record<string, ArtifactRecord>>();
  const hashOf = (stage: string, output: string) => outputs.get(stage)?.[output]?.hash;
  const record: RunRecord = {
    version: 1,
    id,
    pipeline: plan.name,
    params: plan.params,
    stages: {},
  };
  const decisions: Decision[] = [];
  const seconds: Record<string, number> = {};
  let device: Promise<Gpu> | null = null;
  const gpu = opts.gpu ?? (() => device ??= Gpu.create({ log: null }));
  const width = Math.max(...plan.stages.map((s) => s.id.length));
  const signal = opts.signal;
  const count = plan.stages.length;
  const report = (index: number, phase: RunProgress["phase"], p?: StageProgress) => {
    if (opts.progress === undefined) return;
    const within = phase === "done" || phase === "cached"
      ? 1
      : p !== undefined && p.total > 0
      ? Math.min(1, Math.max(0, p.done / p.total))
      : 0;
    const training = p?.unit === "epoch";
    opts.progress({
      stage: plan.stages[index].id,
      index,
      stages: count,
      phase,
      unit: p?.unit,
      done: p?.done,
      total: p?.total,
      epoch: training ? Math.min(p.total, Math.max(1, Math.ceil(p.done))) : undefined,
      epochs: training ? p.total : undefined,
      loss: p?.loss !== undefined && Number.isFinite(p.loss) ? p.loss : undefined,
      eta: p?.eta !== undefined && Number.isFinite(p.eta) ? p.eta : undefined,
      fraction: count > 0 ? (index + within) / count : 1,
    });
  };
  const artifact = async (stage: string, output: string) => {
    const a = outputs.get(stage)?.[output];
    if (a === undefined) throw new Error(`Cannot read "${stage}.${output}": it was not produced`);
    return (await store.get(a.key)).body;
  };
  log(`run ${id} of ${plan.name} (${plan.stages.length} stages)\n`);
  try {
    for (const [index, stage] of plan.stages.entries()) {
      signal?.throwIfAborted();
      const d = await decide(stage, { store, previous, hashOf, fingerprint: opts.fingerprint });
      decisions.push(d);
      const name = stage.id.padEnd(width);
      if (d.action === "HIT") {
        outputs.set(stage.id, d.record!.outputs);
        record.stages[stage.id] = d.record!;
        seconds[stage.id] = 0;
        log(`${name}  HIT  ${d.reason}\n`);
        report(index, "cached");
        continue;
      }
      log(`${name}  ${d.action} ${d.reason}\n`);
      const impl = stages[stage.type.name];
      if (impl === undefined) {
        throw new Error(`Cannot run stage "${stage.id}": no implementation of ${stage.uses}`);
      }
      const checkpoint = join(opts.workDir, "runs", id, `${stage.id}.ckpt`);
      await Deno.mkdir(dirname(checkpoint), { recursive: true });
      const start = performance.now();
      report(index, "start");
      const produced = await withRetries(stage, log, signal, async () => {
        const bar = new ProgressLine(name, log);
        try {
          return await impl({
            id: stage.id,
            params: stage.params,
            inputs: [...inputRefs(stage.inputs).keys()],
            input: (path) => {
              const ref = inputRefs(stage.inputs).get(path);
              if (ref === undefined) {
                throw new Error(`Cannot read input "${path}" of "${stage.id}": it is not bound`);
              }
              return artifact(ref.stage, ref.output);
            },
            gpu,
            progress: (p) => {
              bar.update(p);
              report(index, "running", p);
            },
            checkpoint,
            signal,
          });
        } finally {
          bar.end();
        }
      });
      const stored: Record<string, ArtifactRecord> = {};
      for (const output of Object.keys(stage.type.outputs)) {
        const bytes = produced[output];
        if (bytes === undefined) {
          throw new Error(`Cannot finish stage "${stage.id}": it produced no "${output}"`);
        }
        const hash = await sha256Bytes(bytes);
        const key = `artifacts/${hash}`;
        await store.put(key, bytes);
        stored[output] = { hash, key, size: bytes.length };
      }
      outputs.set(stage.id, stored);
      const external = d.external ?? {};
      const key = (await cacheKey(stage, hashOf, external))!;
      const rec = stageRecord(stage, {
        key,
        hashOf,
        external,
        outputs: stored,
        run: id,
        created: new Date(),
      });
      record.stages[stage.id] = rec;
      if (stage.cache) await store.put(recordKey(key), JSON.stringify(rec));
      await Deno.remove(checkpoint).catch(() => {});
      seconds[stage.id] = (performance.now() - start) / 1000;
      log(`${name}  done in ${formatSeconds(seconds[stage.id])}\n`);
      report(index, "done");
    }
    await store.put(lastRunKey(plan.name), JSON.stringify(record));
    await store.put(`runs/${plan.name}/${id}.json`, JSON.stringify(record));
    await Deno.remove(join(opts.workDir, "runs", id), { recursive: true }).catch(() => {});
  } finally {
    if (device !== null) (await device).destroy();
  }
  return { id, record, decisions, seconds, artifact };
}

async function withRetries<T>(
  stage: PlannedStage,
  log: (t: string) => void,
  signal: AbortSignal | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  const attempts = stage.retry?.attempts ?? 1;
  for (let attempt = 1;; attempt++) {
    try {
      return await fn();
    } catch (e) {
      signal?.throwIfAborted();
      if (attempt >= attempts) throw e;
      const base = durationMs(stage.retry!.delay);
      const wait = stage.retry!.backoff === "exponential" ? base * 2 ** (attempt - 1) : base;
      log(
        `${stage.id}: attempt ${attempt}/${attempts} failed (${
          e instanceof Error ? e.message : String(e)
        }); retrying in ${formatSeconds(wait / 1000)}\n`,
      );
      await sleep(wait, signal);
    }
  }
}

/** Waits `ms`; rejects with the signal's reason as soon as it aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      if (signal?.aborted) reject(signal.reason);
      else resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** "1m05s" / "3.2s". */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - 60 * m)).padStart(2, "0")}s`;
}

/** One redrawn progress line: bar, count, loss and ETA (at most 4 redraws a second). */
class ProgressLine {
  #last = 0;
  #drawn = false;
  constructor(readonly name: string, readonly log: (t: string) => void) {}

  update(p: StageProgress): void {
    const now = performance.now();
    if (now - this.#last < 250 && p.done < p.total) return;
    this.#last = now;
    const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
    const cells = 20;
    const full = Math.round(frac * cells);
    const count = p.unit === "epoch"
      ? `epoch ${Math.min(p.total, Math.floor(p.done) + (p.done < p.total ? 1 : 0))}/${p.total}`
      : `${p.done}/${p.total} ${p.unit}`;
    const loss = p.loss !== undefined && Number.isFinite(p.loss)
      ? `  loss ${p.loss.toFixed(4)}`
      : "";
    const eta = p.eta !== undefined && Number.isFinite(p.eta)
      ? `  ETA ${formatSeconds(p.eta)}`
      : "";
    this.log(
      `\r${this.name}  [${"#".repeat(full)}${
        ".".repeat(cells - full)
      }] ${count}${loss}${eta}\x1b[K`,
    );
    this.#drawn = true;
  }

  end(): void {
    if (this.#drawn) this.log("\r\x1b[K");
  }
}
