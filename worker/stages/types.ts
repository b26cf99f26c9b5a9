/**
 * What a stage implementation receives and returns. A stage reads its inputs as bytes, may ask
 * for the shared GPU, reports progress, may checkpoint, and returns its outputs as bytes.
 * @module
 */
import type { Gpu } from "../gpu/mod.ts";

/** Progress of a stage (training stages report epochs and loss). */
export interface StageProgress {
  /** What is being done, e.g. "epoch" or "shapes". */
  unit: string;
  done: number;
  total: number;
  /** Latest loss, when training. */
  loss?: number;
  /** Estimated seconds left (NaN when unknown). */
  eta?: number;
}

/** Everything a stage implementation gets. */
export interface StageContext {
  /** Stage id in the pipeline. */
  id: string;
  /** Validated params (catalog defaults applied). */
  params: Record<string, unknown>;
  /** Input paths that are bound: `maps`, `models.cgml.curves`, … */
  inputs: readonly string[];
  /** The bytes of a bound input. */
  input(path: string): Promise<Uint8Array>;
  /** The shared device, created on first use. */
  gpu(): Promise<Gpu>;
  /** Reports progress (drawn as a bar by the runner). */
  progress(p: StageProgress): void;
  /**
   * Local file where a training stage keeps its checkpoint; it exists when a killed run is
   * resumed (`--resume`).
   */
  checkpoint: string;
  /** Stops a stage between steps. */
  signal?: AbortSignal;
}

/** A stage type's implementation: outputs by name, as bytes. */
export type StageImpl = (ctx: StageContext) => Promise<Record<string, Uint8Array>>;

/** Typed params of a stage type, read from the context. */
export function paramsOf<P>(ctx: StageContext): P {
  return ctx.params as P;
}

/** Whether a local file exists (a training stage's checkpoint). */
export async function fileExists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
