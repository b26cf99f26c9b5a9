/**
 * Executes a plan: every stage in dependency order is decided (HIT / MISS / RUN, with the
 * reason), HITs restore their stored outputs, the others run (`stage_run.ts`) and their outputs
 * and records are stored (`outputs.ts`). Progress goes two ways: drawn into the log
 * (`progress_view.ts`: a bar on a terminal, plain lines elsewhere) and, structured, to
 * `progress` ({@link RunProgress}). Training stages checkpoint to
 * `<workDir>/runs/<run id>/<stage>.ckpt`, so `resume` continues a killed or aborted run there.
 * `signal` stops the run between stages and, through the stage context, inside training
 * epochs: the run rejects with the signal's reason.
 *
 * Params that name what a stage reads (a catalog entry's `reads`) join its cache key by
 * fingerprint: a local folder by its files' paths, sizes and times, a bucket dataset
 * (`s3://<bucket>/datasets/<name>/`, with {@link RunOptions.datasets}) by its manifest hash,
 * so an added, removed or changed object re-runs the stage with the reason
 * (`MISS dataset changed: 1 changed`). The stage gets the planned fingerprints, the store, the
 * bucket and the worker's object cache in its context and reads exactly the planned dataset.
 * @module
 */
import {
  type ArtifactRecord,
  decide,
  type Decision,
  type Fingerprint,
  fingerprintRoots,
  type Plan,
  type PlannedStage,
  readRunRecord,
  type RunRecord,
  type StageRecord,
} from "../../pipelines/mod.ts";
import { join } from "node:path";
import {
  datasetRootFingerprint,
  describeDatasetChange,
  type ObjectStore,
} from "../../infra/mod.ts";
import { Gpu } from "../gpu/mod.ts";
import { type StageImpl, type StageOutputs, type StageProgress, STAGES } from "../stages/mod.ts";
import { recordRun, recordStage, storeOutputs } from "./outputs.ts";
import { type RunProgress, runProgress } from "./progress.ts";
import { formatSeconds, type ProgressStyle } from "./progress_view.ts";
import { checkpointPath, runDir, runStage, type StageRunContext } from "./stage_run.ts";

/** Options of {@link runPlan}. */
export interface RunOptions {
  store: ObjectStore;
  /** Where checkpoints of running stages live. */
  workDir: string;
  /**
   * Where `s3://` dataset roots are read: the service's bucket (on `store`) and the worker's
   * object cache folder. Without it only local folders can be read.
   */
  datasets?: RunDatasets;
  /**
   * Fingerprints what stages read (default: bucket datasets by manifest hash when `datasets`
   * is set, local paths by their files).
   */
  fingerprint?: Fingerprint;
  /** Continue this run id (its checkpoints are reused); default: a new id. */
  resume?: string;
  /** Progress and decision lines (default: stderr). */
  log?: (text: string) => void;
  /**
   * How stage progress is drawn in the log (default: a bar when the log is stderr and stderr
   * is a terminal, plain lines otherwise).
   */
  progressStyle?: ProgressStyle;
  /** Stage implementations by `name@version` (default: {@link STAGES}). */
  stages?: Readonly<Record<string, StageImpl>>;
  /** The device (default: created on first use and destroyed at the end). */
  gpu?: () => Promise<Gpu>;
  /** Stops the run between stages and inside training epochs (checkpoints are kept). */
  signal?: AbortSignal;
  /** Structured progress: every stage's start and end, and its reports in between. */
  progress?: (p: RunProgress) => void;
}

/** The bucket a run reads datasets from, and where their objects are cached on disk. */
export interface RunDatasets {
  /** The service's bucket: the only one `s3://` roots may name. */
  bucket: string;
  /** The object cache folder (shared by every job of the worker; files named by ETag). */
  cacheDir: string;
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

/** Runs every stage of `plan`. */
export async function runPlan(plan: Plan, opts: RunOptions): Promise<RunResult> {
  const stderr = (t: string) => void Deno.stderr.writeSync(new TextEncoder().encode(t));
  const log = opts.log ?? stderr;
  const id = opts.resume ?? newRunId();
  const previous = await readRunRecord(opts.store, plan.name);
  const run = new RunState(opts.store, {
    version: 1,
    id,
    pipeline: plan.name,
    params: plan.params,
    stages: {},
  });
  const device = lazyDevice();
  const datasets = opts.datasets;
  const fingerprint = opts.fingerprint ??
    fingerprintRoots(datasets && datasetRootFingerprint(opts.store, datasets.bucket));
  const width = Math.max(...plan.stages.map((s) => s.id.length));
  const report = (index: number, phase: RunProgress["phase"], p?: StageProgress) =>
    opts.progress?.(runProgress(plan.stages[index].id, index, plan.stages.length, phase, p));
  const context: Omit<StageRunContext, "report" | "planned"> = {
    stages: opts.stages ?? STAGES,
    workDir: opts.workDir,
    runId: id,
    gpu: opts.gpu ?? device.get,
    signal: opts.signal,
    log,
    style: opts.progressStyle ??
      (opts.log === undefined && Deno.stderr.isTerminal() ? "bar" : "lines"),
    width,
    artifact: (stage, output) => run.artifact(stage, output),
    env: {
      run: { id, pipeline: plan.name },
      store: opts.store,
      bucket: datasets?.bucket ?? "cgml",
      objectCache: datasets?.cacheDir ?? join(opts.workDir, "objects"),
      log,
    },
  };
  log(`run ${id} of ${plan.name} (${plan.stages.length} stages)\n`);
  try {
    for (const [index, stage] of plan.stages.entries()) {
      opts.signal?.throwIfAborted();
      const d = await decide(stage, {
        store: opts.store,
        previous,
        hashOf: run.hashOf,
        fingerprint,
        describeChange: (before, after) => describeDatasetChange(opts.store, before, after),
      });
      run.decisions.push(d);
      const name = stage.id.padEnd(width);
      if (d.action === "HIT") {
        run.restore(stage.id, d.record!);
        log(`${name}  HIT  ${d.reason}\n`);
        report(index, "cached");
        continue;
      }
      log(`${name}  ${d.action} ${d.reason}\n`);
      const start = performance.now();
      report(index, "start");
      const produced = await runStage(stage, {
        ...context,
        planned: d.external ?? {},
        report: (p) => report(index, "running", p),
      });
      await run.store(stage, produced, d.external ?? {});
      await Deno.remove(checkpointPath(opts.workDir, id, stage.id)).catch(() => {});
      run.seconds[stage.id] = (performance.now() - start) / 1000;
      log(`${name}  done in ${formatSeconds(run.seconds[stage.id])}\n`);
      report(index, "done");
    }
    await recordRun(opts.store, run.record);
    await Deno.remove(runDir(opts.workDir, id), { recursive: true }).catch(() => {});
  } finally {
    await device.destroy();
  }
  return run.result();
}

/** A device created on first use; `destroy` frees it when it was. */
function lazyDevice(): { get: () => Promise<Gpu>; destroy: () => Promise<void> } {
  let device: Promise<Gpu> | null = null;
  return {
    get: () => device ??= Gpu.create({ log: null }),
    destroy: async () => {
      if (device !== null) (await device).destroy();
    },
  };
}

/** What a run has produced and recorded so far. */
class RunState {
  readonly decisions: Decision[] = [];
  readonly seconds: Record<string, number> = {};
  readonly #outputs = new Map<string, Record<string, ArtifactRecord>>();

  constructor(readonly objects: ObjectStore, readonly record: RunRecord) {}

  /** Content hash of an output produced or restored so far. */
  readonly hashOf = (stage: string, output: string): string | undefined =>
    this.#outputs.get(stage)?.[output]?.hash;

  /** The bytes of an output produced or restored so far. */
  async artifact(stage: string, output: string): Promise<Uint8Array> {
    const a = this.#outputs.get(stage)?.[output];
    if (a === undefined) throw new Error(`Cannot read "${stage}.${output}": it was not produced`);
    return (await this.objects.get(a.key)).body;
  }

  /** Takes a cache HIT's outputs and record. */
  restore(stage: string, rec: StageRecord): void {
    this.#outputs.set(stage, rec.outputs);
    this.record.stages[stage] = rec;
    this.seconds[stage] = 0;
  }

  /** Stores what a stage produced and its record. */
  async store(
    stage: PlannedStage,
    produced: StageOutputs,
    external: Readonly<Record<string, string>>,
  ): Promise<void> {
    const stored = await storeOutputs(this.objects, stage, produced);
    this.#outputs.set(stage.id, stored);
    this.record.stages[stage.id] = await recordStage(this.objects, stage, {
      id: this.record.id,
      hashOf: this.hashOf,
      external,
      outputs: stored,
    });
  }

  result(): RunResult {
    const { decisions, seconds, record } = this;
    return { id: record.id, record, decisions, seconds, artifact: (s, o) => this.artifact(s, o) };
  }
}
