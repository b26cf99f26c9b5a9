/**
 * Where a run is, as structured data: every stage's start and end, and the stage's own
 * progress reports in between, with the share of the whole run done.
 * @module
 */
import type { StageProgress } from "../stages/mod.ts";

/** Where a run is, as reported to `RunOptions.progress`. */
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

/** The share of its work a stage report says is done, 0..1 (0 without a total). */
export function stageFraction(p: StageProgress): number {
  return p.total > 0 ? Math.min(1, Math.max(0, p.done / p.total)) : 0;
}

/** The {@link RunProgress} of stage `index` of `count` (id `stage`) in `phase`. */
export function runProgress(
  stage: string,
  index: number,
  count: number,
  phase: RunProgress["phase"],
  p?: StageProgress,
): RunProgress {
  const within = phase === "done" || phase === "cached"
    ? 1
    : p !== undefined
    ? stageFraction(p)
    : 0;
  const training = p?.unit === "epoch";
  return {
    stage,
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
  };
}
