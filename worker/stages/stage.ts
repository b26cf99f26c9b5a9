/**
 * What a stage implementation receives and returns, and how one is bound to its catalog entry.
 * A stage reads its inputs as bytes, may ask for the shared GPU, reports progress, may
 * checkpoint, and returns its outputs as bytes; its params are parsed with the catalog's zod
 * schema before it runs, so the implementation receives them typed.
 * @module
 */
import type { z } from "zod";
import { type StageType, stageTypeId } from "../../pipelines/mod.ts";
import type { DatasetBucket } from "../data/mod.ts";
import type { ObjectStore } from "../../infra/mod.ts";
import type { Gpu } from "../gpu/mod.ts";
import type { Progress } from "../models/mod.ts";

/** Progress of a stage (training stages report epochs and loss). */
export type StageProgress = Progress;

/**
 * Where a stage runs: its run, the object store and bucket, and the worker's folder of
 * downloaded dataset objects. Stages that publish or load models, or read a bucket prefix when
 * they run, use it; the others compute from their params and inputs only.
 */
export interface StageEnv {
  /** The run id (`job_<id>` for a job) and the pipeline's name. */
  run: { id: string; pipeline: string };
  store: ObjectStore;
  /** The service's bucket (`s3://<bucket>/…` roots must name it). */
  bucket: string;
  /** Folder where bucket objects are kept by ETag (shared by every job of the worker). */
  objectCache: string;
  /** Lines for the run's log. */
  log(text: string): void;
}

/** Everything a stage implementation gets. */
export interface StageContext {
  /** Stage id in the pipeline. */
  id: string;
  /** Resolved params (catalog defaults applied), not yet checked by the implementation. */
  params: Record<string, unknown>;
  /** Input paths that are bound: `maps`, `models.cgml.curves`, … */
  inputs: readonly string[];
  /** The bytes of a bound input. */
  input(path: string): Promise<Uint8Array>;
  /** The shared device, created on first use. */
  gpu(): Promise<Gpu>;
  /** Reports progress (drawn by the runner). */
  progress(p: StageProgress): void;
  /**
   * Local file where a training stage keeps its checkpoint; it exists when a killed run is
   * resumed (`--resume`).
   */
  checkpoint: string;
  /** Stops a stage between steps. */
  signal?: AbortSignal;
  /**
   * Fingerprints of the files and datasets the stage reads (its type's `reads` params), as its
   * cache key was planned: `dataset:<manifest hash>` for a bucket dataset, which the stage
   * must read exactly (`readBucketDataset`'s `expectHash`).
   */
  planned: Readonly<Record<string, string>>;
  /** The run, the store and the bucket (see {@link StageEnv}). */
  env: StageEnv;
}

/**
 * The service's bucket as a stage reads datasets from it: the store, the bucket's name (the
 * only one `s3://` roots may name) and the worker's object cache folder.
 */
export function datasetBucket(env: StageEnv): DatasetBucket {
  return { store: env.store, name: env.bucket, cacheDir: env.objectCache };
}

/** Outputs of a stage by name, as bytes. */
export type StageOutputs = Record<string, Uint8Array>;

/** A stage type's implementation. */
export type StageImpl = (ctx: StageContext) => Promise<StageOutputs>;

/** An implementation bound to the catalog entry (`name@version`) it implements. */
export interface StageBinding {
  /** `name@version`. */
  id: string;
  run: StageImpl;
}

/**
 * Binds `run` to the catalog entry `type`: the context's params are parsed with the entry's
 * schema (a mismatch is an error naming the stage and the param) and passed to `run` typed.
 */
export function implement<P extends z.ZodObject>(
  type: StageType<P>,
  run: (ctx: StageContext, params: z.output<P>) => Promise<StageOutputs>,
): StageBinding {
  const id = stageTypeId(type);
  return {
    id,
    run: (ctx) => {
      const parsed = type.params.safeParse(ctx.params);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const at = issue.path.length > 0 ? ` param "${issue.path.join(".")}"` : " params";
        return Promise.reject(
          new Error(`Cannot run stage "${ctx.id}" (${id}):${at}: ${issue.message}`),
        );
      }
      return run(ctx, parsed.data);
    },
  };
}

/** The row names of the table input `table` (`models.<row>.<column>`), in binding order. */
export function tableRows(ctx: Pick<StageContext, "inputs">, table: string): string[] {
  return [
    ...new Set(
      ctx.inputs.filter((i) => i.startsWith(`${table}.`)).map((i) => i.split(".")[1]),
    ),
  ];
}
