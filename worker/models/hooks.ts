/**
 * What training and inference report back: progress (drawn by the runner), a local checkpoint
 * file to resume from, and a signal that stops between steps. A stage's context provides all
 * three, so stages pass it as is.
 * @module
 */

/** Progress of a long computation (training reports epochs and loss). */
export interface Progress {
  /** What is being counted, e.g. "epoch", "shapes" or "inputs". */
  unit: string;
  done: number;
  total: number;
  /** Latest loss, when training. */
  loss?: number;
  /** Estimated seconds left (NaN when unknown). */
  eta?: number;
}

/** Hooks of a training run. */
export interface TrainHooks {
  /** Local checkpoint file: restored when it exists, rewritten after every epoch. */
  checkpoint: string;
  /** Stops training before the next step once aborted (the checkpoint is kept). */
  signal?: AbortSignal;
  /** Receives progress after every step and epoch. */
  progress(p: Progress): void;
}

/** Whether a local file exists (a training checkpoint). */
export async function fileExists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
