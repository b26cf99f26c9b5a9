/**
 * Running one stage that is not a cache HIT: its implementation is looked up by `name@version`
 * (a stage type without an implementation of exactly that version is an error), its context
 * built (inputs read from the store, the shared device, a checkpoint file in the work folder,
 * progress drawn and reported), and it runs under its retry policy.
 * @module
 */
import { dirname, join } from "node:path";
import { inputRefs, type PlannedStage, stageTypeId } from "../../pipelines/mod.ts";
import type { Gpu } from "../gpu/mod.ts";
import type { StageEnv, StageImpl, StageOutputs, StageProgress } from "../stages/mod.ts";
import { type ProgressStyle, progressView } from "./progress_view.ts";
import { withRetries } from "./retry.ts";

/** Local folder of a run's checkpoints: `<workDir>/runs/<run id>`. */
export function runDir(workDir: string, runId: string): string {
  return join(workDir, "runs", runId);
}

/** Local checkpoint file of a stage of a run: `<workDir>/runs/<run id>/<stage>.ckpt`. */
export function checkpointPath(workDir: string, runId: string, stage: string): string {
  return join(runDir(workDir, runId), `${stage}.ckpt`);
}

/** What {@link runStage} needs from the run. */
export interface StageRunContext {
  /** Implementations by `name@version`. */
  stages: Readonly<Record<string, StageImpl>>;
  workDir: string;
  runId: string;
  gpu: () => Promise<Gpu>;
  signal?: AbortSignal;
  log: (text: string) => void;
  style: ProgressStyle;
  /** Column width of stage ids in the log. */
  width: number;
  /** The bytes of output `output` of an earlier stage. */
  artifact(stage: string, output: string): Promise<Uint8Array>;
  /** Fingerprints of what this stage reads, by param, as its cache key was planned. */
  planned: Readonly<Record<string, string>>;
  /** The stage's own progress reports. */
  report(p: StageProgress): void;
  /** The run, store and bucket the stage sees. */
  env: StageEnv;
}

/** The implementation of `stage`'s type, or an error naming the stage and `name@version`. */
export function implementationOf(
  stages: Readonly<Record<string, StageImpl>>,
  stage: PlannedStage,
): StageImpl {
  const id = stageTypeId(stage.type);
  const impl = Object.hasOwn(stages, id) ? stages[id] : undefined;
  if (impl === undefined) {
    throw new Error(`Cannot run stage "${stage.id}": no implementation of ${id}`);
  }
  return impl;
}

/** Runs `stage` (with retries); returns what it produced. */
export async function runStage(stage: PlannedStage, c: StageRunContext): Promise<StageOutputs> {
  const impl = implementationOf(c.stages, stage);
  const checkpoint = checkpointPath(c.workDir, c.runId, stage.id);
  await Deno.mkdir(dirname(checkpoint), { recursive: true });
  const refs = inputRefs(stage.inputs);
  return await withRetries(stage, c.log, c.signal, async () => {
    const view = progressView(c.style, stage.id.padEnd(c.width), c.log);
    try {
      return await impl({
        id: stage.id,
        params: stage.params,
        inputs: [...refs.keys()],
        input: (path) => {
          const ref = refs.get(path);
          if (ref === undefined) {
            throw new Error(`Cannot read input "${path}" of "${stage.id}": it is not bound`);
          }
          return c.artifact(ref.stage, ref.output);
        },
        gpu: c.gpu,
        progress: (p) => {
          view.update(p);
          c.report(p);
        },
        checkpoint,
        signal: c.signal,
        planned: c.planned,
        env: c.env,
      });
    } finally {
      view.end();
    }
  });
}
