/**
 * The runner: executes a planned pipeline stage by stage against the object store (cache HITs
 * restored, the rest run with their retry policy and checkpoints), reporting progress as
 * structured data and drawing it in the log.
 * @module
 */
export { newRunId, type RunDatasets, type RunOptions, runPlan, type RunResult } from "./run.ts";
export { type RunProgress, runProgress, stageFraction } from "./progress.ts";
export {
  describeProgress,
  formatSeconds,
  LINE_SECONDS,
  LINE_STEP,
  type ProgressStyle,
  progressView,
  type StageProgressView,
} from "./progress_view.ts";
export { sha256Bytes } from "./outputs.ts";
export { checkpointPath, implementationOf, runDir } from "./stage_run.ts";
