/**
 * The stage type contract: what `uses: name@version` refers to (params, inputs, outputs, what
 * it reads, whether it is cached, a cross-field check), and how a family file declares one.
 *
 * @module
 */

import type { z } from "zod";
import type { ArtifactType, InputSpec } from "./artifacts.ts";

/** A stage type: what `uses: name@version` refers to. */
export interface StageType<P extends z.ZodObject = z.ZodObject> {
  name: string;
  version: number;
  summary: string;
  /** Closed params schema; every param has a default unless it must be given. */
  params: P;
  inputs: Readonly<Record<string, InputSpec>>;
  outputs: Readonly<Record<string, ArtifactType>>;
  /**
   * String params that name local files or folders, or bucket datasets (`s3://…`); their
   * fingerprint joins the cache key.
   */
  reads?: readonly string[];
  /**
   * Set when the stage always runs and is never restored from the cache, saying why (shown as the
   * reason of its RUN): what it reads or writes lies outside its params and inputs (published
   * models, a bucket prefix read when it runs), so a stored result could be stale.
   */
  uncached?: string;
  /** Cross-field check of resolved params and the inputs given; returns a reason to reject. */
  check?(params: z.output<P>, inputs: ReadonlySet<string>): string | undefined;
}

/** Resolved params of a stage type, e.g. `StageParams<typeof cgmlTrain>`. */
export type StageParams<T extends StageType> = z.output<T["params"]>;

/** Declares a stage type, inferring its params type for `check` and for implementations. */
export function defineStage<P extends z.ZodObject>(t: StageType<P>): StageType<P> {
  return t;
}

/** `name@version`. */
export function stageTypeId(t: Pick<StageType, "name" | "version">): string {
  return `${t.name}@${t.version}`;
}
