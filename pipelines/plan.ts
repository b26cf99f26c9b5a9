/**
 * Plans: a checked pipeline with its params resolved (declared defaults < `-f` files < `--set`),
 * every stage bound to validated params and typed input references, in dependency order.
 *
 * @module
 */

import { bindStageParams } from "./bind.ts";
import type { StageType } from "./catalog/mod.ts";
import type { Diagnostic } from "./diagnostics.ts";
import { topologicalOrder } from "./graph.ts";
import { type OverrideFile, type ParamValues, resolveParams } from "./params.ts";
import { type InputValue, type OutputRef, type ParsedPipeline, parsePipeline } from "./parse.ts";
import { mergeExpansionErrors } from "./matrix.ts";
import type { Retry } from "./schema.ts";

export type { InputValue } from "./parse.ts";

/** One stage, ready to run. */
export interface PlannedStage {
  id: string;
  /** `name@version` of the stage type. */
  uses: string;
  type: StageType;
  /** Validated params, catalog defaults applied. */
  params: Record<string, unknown>;
  /** Input references by input name. */
  inputs: Record<string, InputValue>;
  /** Upstream stage ids (references and `after`). */
  deps: string[];
  cache: boolean;
  retry?: Retry;
  doc?: string;
}

/** A runnable plan. */
export interface Plan {
  name: string;
  description?: string;
  /** Resolved pipeline params. */
  params: ParamValues;
  /** Dependencies first; otherwise in file order. */
  stages: PlannedStage[];
  /** Pipeline results by name. */
  outputs: Record<string, OutputRef>;
}

/** Result of {@link buildPlan} and {@link compilePipeline}: `plan` is set only without errors. */
export interface PlanResult {
  plan?: Plan;
  errors: Diagnostic[];
}

/** Binds resolved param values into every stage of a checked pipeline. */
export function buildPlan(pipeline: ParsedPipeline, params: ParamValues): PlanResult {
  const errors: Diagnostic[] = [];
  const byId = new Map<string, PlannedStage>();
  for (const stage of pipeline.stages) {
    const { source } = pipeline;
    const bound = bindStageParams(
      source,
      stage.id,
      stage.type,
      stage.spec.with,
      params,
      stage.matrix,
    );
    errors.push(...bound.errors);
    if (bound.params === undefined) continue;
    byId.set(stage.id, {
      id: stage.id,
      uses: `${stage.type.name}@${stage.type.version}`,
      type: stage.type,
      params: bound.params,
      inputs: stage.inputs,
      deps: stage.deps,
      cache: stage.spec.cache && stage.type.uncached === undefined,
      retry: stage.spec.retry,
      doc: stage.spec.doc,
    });
  }
  if (errors.length > 0) {
    const instances = pipeline.stages.map((s) => ({
      id: s.id,
      raw: null,
      written: s.template ?? s.id,
      matrix: s.matrix,
    }));
    return { errors: mergeExpansionErrors(errors, instances) };
  }
  const order = pipeline.stages.map((s) => s.id);
  const deps = new Map(pipeline.stages.map((s) => [s.id, s.deps]));
  const stages = topologicalOrder(order, deps).map((id) => byId.get(id)!);
  const plan: Plan = {
    name: pipeline.name,
    description: pipeline.description,
    params,
    stages,
    outputs: pipeline.outputs,
  };
  return { plan, errors: [] };
}

/** What {@link compilePipeline} reads: the pipeline file, `-f` files and `--set` arguments. */
export interface CompileInput {
  file: string;
  text: string;
  overrides?: readonly OverrideFile[];
  sets?: readonly string[];
}

/** Result of {@link compilePipeline}, with every source text by file name for error excerpts. */
export interface CompileResult extends PlanResult {
  pipeline?: ParsedPipeline;
  sources: Map<string, string>;
}

/** Parse, check, resolve params and bind: everything `validate` and `plan` need. */
export function compilePipeline(input: CompileInput): CompileResult {
  const sources = new Map([[input.file, input.text]]);
  const parsed = parsePipeline(input.file, input.text);
  if (parsed.pipeline === undefined) return { errors: parsed.errors, sources };
  const resolved = resolveParams(parsed.pipeline.params, input.overrides, input.sets);
  for (const [file, text] of resolved.sources) sources.set(file, text);
  if (resolved.errors.length > 0) {
    return { pipeline: parsed.pipeline, errors: resolved.errors, sources };
  }
  return { pipeline: parsed.pipeline, ...buildPlan(parsed.pipeline, resolved.values), sources };
}
