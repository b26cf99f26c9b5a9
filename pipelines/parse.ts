/**
 * Parsing and static checking of pipeline files.
 *
 * Steps: safe YAML (yaml.ts) → the zod schema (schema.ts) → matrix stages expanded (matrix.ts)
 * → the catalog and every reference (references.ts, inputs.ts): unknown stage types, stages,
 * outputs, params and matrix keys (with suggestions), artifact type mismatches, missing inputs,
 * cycles. Every error is collected; nothing stops at the first. Param values reach stage params
 * later, when the plan is built (plan.ts).
 *
 * @module
 */

import { bindStageParams } from "./bind.ts";
import { describeTypes, findStageType, type StageType, stageTypeId } from "./catalog/mod.ts";
import type { Diagnostic, Path } from "./diagnostics.ts";
import { checkInput, type InputValue } from "./inputs.ts";
import {
  expandStages,
  type MatrixValues,
  mergeExpansionErrors,
  type StageInstance,
} from "./matrix.ts";
import { issueDiagnostics, show } from "./issues.ts";
import { isMapping, paramSpecErrors } from "./params.ts";
import { type OutputRef, References, type Site } from "./references.ts";
import { refText, scanRefs, wholeRef } from "./refs.ts";
import { ParamSpec, PipelineFile, Stage, unknownKeyMessage } from "./schema.ts";
import { didYouMean } from "./suggest.ts";
import {
  checkDefaultsForTriggerRefs,
  checkTriggers,
  misplacedTriggerRef,
  type TriggerSpec,
} from "./triggers.ts";
import { loadYaml, type Source, type YamlLimits } from "./yaml.ts";

export type { InputValue } from "./inputs.ts";
export type { OutputRef } from "./references.ts";

/** A stage after static checks: its catalog type, resolved inputs and the stages it depends on. */
export interface ParsedStage {
  id: string;
  type: StageType;
  /** The stage as written (for an expansion: its template): `with` still holds `${{ … }}`. */
  spec: Stage;
  /** This expansion's matrix entries; absent for a stage without a matrix. */
  matrix?: MatrixValues;
  /** Id of the matrix stage this one was expanded from. */
  template?: string;
  /** Input references by input name. */
  inputs: Record<string, InputValue>;
  /** Upstream stage ids (references and `after`), in order of first mention. */
  deps: string[];
}

/** A pipeline file that passed every static check. */
export interface ParsedPipeline {
  source: Source;
  name: string;
  description?: string;
  params: Record<string, ParamSpec>;
  /** In file order, each matrix stage's expansions in its place. */
  stages: ParsedStage[];
  outputs: Record<string, OutputRef>;
  /** Objects whose creation starts this pipeline (when it is stored). */
  triggers: TriggerSpec[];
}

/** Result of {@link parsePipeline}: `pipeline` is set only when there are no errors. */
export interface ParseResult {
  pipeline?: ParsedPipeline;
  errors: Diagnostic[];
  source: Source;
}

/** True for an {@link OutputRef} (as found among a stage's resolved inputs). */
export function isOutputRef(v: unknown): v is OutputRef {
  return isMapping(v) && v.kind === "output" && typeof v.stage === "string" &&
    typeof v.output === "string";
}

/** Parses and checks a pipeline file; `file` is the name used in errors. */
export function parsePipeline(file: string, text: string, limits?: YamlLimits): ParseResult {
  const loaded = loadYaml(file, text, limits);
  if (loaded.errors.length > 0) return { errors: loaded.errors, source: loaded.source };
  return check(loaded.source, loaded.value);
}

/** The parts of a stage that the checks read, taken from whatever of it is well-formed. */
interface StageView {
  uses?: string;
  with: Record<string, unknown>;
  after: string[];
}

function stageView(raw: unknown): StageView {
  const stage = isMapping(raw) ? raw : {};
  return {
    uses: typeof stage.uses === "string" ? stage.uses : undefined,
    with: isMapping(stage.with) ? stage.with : {},
    after: Array.isArray(stage.after)
      ? stage.after.filter((a): a is string => typeof a === "string")
      : [],
  };
}

function check(source: Source, value: unknown): ParseResult {
  const errors: Diagnostic[] = [];
  const file = PipelineFile.safeParse(value);
  if (!file.success) {
    errors.push(...issueDiagnostics(file.error.issues, { source, base: [], value }));
  }
  const root = isMapping(value) ? value : {};
  const expanded = expandStages(source, isMapping(root.stages) ? root.stages : {});
  errors.push(...expanded.errors);
  const instances = expanded.instances;
  const refs = new References(
    source,
    instances.map((s) => s.id),
    expanded.templates,
    expanded.broken,
  );
  const declared = isMapping(root.params) ? root.params : {};
  for (const [name, raw] of Object.entries(declared)) declareParam(refs, name, raw);
  const triggers = checkTriggers(refs, root.triggers, true);
  const triggered = Array.isArray(root.triggers) && root.triggers.length > 0;
  checkDefaultsForTriggerRefs(refs, declared, triggered);
  const views = new Map(instances.map((s) => [s.id, stageView(s.raw)]));
  for (const s of instances) {
    const uses = views.get(s.id)!.uses;
    if (uses === undefined) continue;
    const found = findStageType(uses);
    if ("error" in found) refs.error(["stages", s.id, "uses"], found.error);
    else refs.types.set(s.id, found);
  }
  const inputs = new Map(
    instances.map((s) => [s.id, checkStage(refs, s, views.get(s.id)!, triggered)]),
  );
  const defaults = Object.fromEntries(
    [...refs.params].flatMap(([name, spec]) => spec === undefined ? [] : [[name, spec.default]]),
  );
  for (const s of instances) {
    const type = refs.types.get(s.id);
    if (type === undefined) continue;
    const given = views.get(s.id)!.with;
    refs.errors.push(...bindStageParams(source, s.id, type, given, defaults, s.matrix).errors);
  }
  const stages: ParsedStage[] = [];
  for (const s of instances) {
    const parsed = Stage.safeParse(s.raw);
    const type = refs.types.get(s.id);
    const resolved = inputs.get(s.id);
    if (!parsed.success || type === undefined || resolved === undefined) continue;
    stages.push({
      id: s.id,
      type,
      spec: parsed.data,
      ...(s.matrix === undefined ? {} : { matrix: s.matrix, template: s.written }),
      inputs: resolved,
      deps: [...refs.edges.get(s.id)!.keys()],
    });
  }
  const outputs = checkOutputs(refs, isMapping(root.outputs) ? root.outputs : {});
  refs.checkCycles();
  errors.push(...refs.errors);
  if (errors.length > 0 || !file.success) {
    return { errors: mergeExpansionErrors(errors, instances), source };
  }
  const params = Object.fromEntries([...refs.params].map(([k, v]) => [k, v!]));
  const pipeline: ParsedPipeline = {
    source,
    name: file.data.name,
    description: file.data.description,
    params,
    stages,
    outputs,
    triggers,
  };
  return { pipeline, errors: [], source };
}

function declareParam(refs: References, name: string, raw: unknown) {
  const parsed = ParamSpec.safeParse(raw);
  refs.params.set(name, parsed.success ? parsed.data : undefined);
  if (!parsed.success) return;
  for (const e of paramSpecErrors(parsed.data)) refs.error(["params", name, e.key], e.message);
}

/** Checks `after` and `with` of one stage; returns its resolved inputs when they are valid. */
function checkStage(
  refs: References,
  stage: StageInstance,
  view: StageView,
  triggered: boolean,
): Record<string, InputValue> | undefined {
  const id = stage.id;
  const site: Site = { id, matrix: stage.matrix, triggered };
  const base = ["stages", id];
  view.after.forEach((dep, i) => checkAfter(refs, id, [...base, "after", i], dep));
  const type = refs.types.get(id);
  const withPath = [...base, "with"];
  const inputs: Record<string, InputValue> = {};
  let ok = true;
  for (const [key, value] of Object.entries(view.with)) {
    const path = [...withPath, key];
    if (type === undefined) {
      checkValue(refs, site, key, path, value, undefined);
      continue;
    }
    const input = type.inputs[key];
    if (input !== undefined) {
      const resolved = checkInput(refs, site, path, value, key, input, type);
      if (resolved === undefined) ok = false;
      else inputs[key] = resolved;
    } else if (Object.hasOwn(type.params.shape, key)) {
      checkValue(refs, site, key, path, value, type);
    } else {
      const known = [...Object.keys(type.params.shape), ...Object.keys(type.inputs)];
      refs.error(
        path,
        unknownKeyMessage(key, known, `not a param or input of ${stageTypeId(type)}`),
        { at: "key" },
      );
    }
  }
  if (type === undefined) return undefined;
  for (const [name, input] of Object.entries(type.inputs)) {
    if (input.optional || Object.hasOwn(view.with, name)) continue;
    const want = "type" in input ? ` (${describeTypes(input)})` : "";
    refs.error(
      Object.keys(view.with).length > 0 ? withPath : base,
      `Cannot find required input "${name}"${want} of ${stageTypeId(type)}`,
    );
  }
  return ok ? inputs : undefined;
}

/** An `after:` entry: a stage id, or a matrix stage's id for every one of its expansions. */
function checkAfter(refs: References, id: string, path: Path, dep: string) {
  const expansions = refs.templates.get(dep);
  if (dep === id) refs.error(path, `Cannot run stage "${id}" after itself`);
  else if (expansions !== undefined) {
    for (const to of expansions) if (to !== id) refs.addEdge(id, to, { path });
  } else if (!refs.has(dep) && !refs.inBroken(dep)) {
    const known = [...refs.ids, ...refs.templates.keys()];
    refs.error(path, `Cannot run after "${dep}": no such stage${didYouMean(dep, known)}`);
  } else if (refs.has(dep)) refs.addEdge(id, dep, { path });
}

/** A param value: literals, param and matrix references anywhere; artifacts only when the type is unknown. */
function checkValue(
  refs: References,
  site: Site,
  key: string,
  path: Path,
  value: unknown,
  type: StageType | undefined,
) {
  if (Array.isArray(value)) {
    return value.forEach((v, i) => checkValue(refs, site, key, [...path, i], v, type));
  }
  if (isMapping(value)) {
    for (const [k, v] of Object.entries(value)) checkValue(refs, site, key, [...path, k], v, type);
    return;
  }
  if (typeof value !== "string") return;
  for (const m of scanRefs(value)) {
    const range = refs.refRange(path, m);
    if (m.ref === undefined) {
      refs.error(path, m.error!, { range });
    } else if (m.ref.kind === "param") {
      refs.checkParamRef(path, m.ref, range);
    } else if (m.ref.kind === "matrix") {
      refs.checkMatrixRef(site, path, m.ref, range);
    } else if (m.ref.kind === "trigger") {
      refs.error(path, misplacedTriggerRef(m.ref, site.triggered ?? false), { range });
    } else if (type !== undefined) {
      const inputs = Object.keys(type.inputs);
      const reason = inputs.length > 0
        ? `artifacts go to inputs (${inputs.join(", ")})`
        : `${stageTypeId(type)} takes no inputs`;
      refs.error(path, `Cannot pass ${refText(m.ref)} to param "${key}": ${reason}`, { range });
    } else {
      refs.output(site, path, m.ref, range);
    }
  }
}

function checkOutputs(refs: References, raw: Record<string, unknown>): Record<string, OutputRef> {
  const out: Record<string, OutputRef> = {};
  for (const [name, value] of Object.entries(raw)) {
    const path = ["outputs", name];
    const m = typeof value === "string" ? wholeRef(value) : undefined;
    if (m?.ref?.kind !== "output") {
      const range = m === undefined ? undefined : refs.refRange(path, m);
      refs.error(
        path,
        m?.error ??
          `Cannot accept ${
            show(value)
          } as output "${name}": expected \${{ stages.<id>.outputs.<name> }}`,
        { range },
      );
      continue;
    }
    const ref = refs.output({}, path, m.ref, refs.refRange(path, m));
    if (ref !== undefined) out[name] = ref;
  }
  return out;
}
