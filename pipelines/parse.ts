/**
 * Parsing and static checking of pipeline files.
 *
 * Steps: safe YAML (yaml.ts) → the zod schema (schema.ts) → the catalog and every reference:
 * unknown stage types, stages, outputs and params (with suggestions), artifact type mismatches,
 * missing inputs, cycles. Every error is collected; nothing stops at the first.
 * Param values reach stage params later, when the plan is built (plan.ts).
 *
 * @module
 */

import { bindStageParams } from "./bind.ts";
import {
  type ArtifactInput,
  type ArtifactType,
  findStageType,
  type InputSpec,
  type StageType,
  stageTypeId,
} from "./catalog.ts";
import type { Diagnostic, Path } from "./diagnostics.ts";
import { findCycles } from "./graph.ts";
import { issueDiagnostics, show } from "./issues.ts";
import { isMapping, paramSpecErrors } from "./params.ts";
import { type Ref, type RefMatch, refText, scanRefs, wholeRef } from "./refs.ts";
import { IDENTIFIER, ParamSpec, PipelineFile, Stage, unknownKeyMessage } from "./schema.ts";
import { didYouMean } from "./suggest.ts";
import { loadYaml, type Source, type YamlLimits } from "./yaml.ts";

/** A reference to one output of one stage, with the output's artifact type. */
export interface OutputRef {
  kind: "output";
  stage: string;
  output: string;
  type: ArtifactType;
}

/** A stage after static checks: its catalog type and the stages it depends on. */
export interface ParsedStage {
  id: string;
  type: StageType;
  /** The stage as written: `with` still holds `${{ … }}` strings. */
  spec: Stage;
  /** Upstream stage ids (references and `after`), in order of first mention. */
  deps: string[];
}

/** A pipeline file that passed every static check. */
export interface ParsedPipeline {
  source: Source;
  name: string;
  description?: string;
  params: Record<string, ParamSpec>;
  /** In file order. */
  stages: ParsedStage[];
  outputs: Record<string, OutputRef>;
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
  return new Checker(loaded.source, loaded.value).run();
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

interface Edge {
  path: Path;
  range?: readonly [number, number];
}

class Checker {
  readonly errors: Diagnostic[] = [];
  readonly params = new Map<string, ParamSpec | undefined>();
  readonly stageIds: string[] = [];
  readonly types = new Map<string, StageType>();
  readonly edges = new Map<string, Map<string, Edge>>();

  constructor(readonly source: Source, readonly value: unknown) {}

  run(): ParseResult {
    const file = PipelineFile.safeParse(this.value);
    if (!file.success) {
      this.errors.push(
        ...issueDiagnostics(file.error.issues, {
          source: this.source,
          base: [],
          value: this.value,
        }),
      );
    }
    const root = isMapping(this.value) ? this.value : {};
    const rawParams = isMapping(root.params) ? root.params : {};
    const rawStages = isMapping(root.stages) ? root.stages : {};
    for (const [name, raw] of Object.entries(rawParams)) this.declareParam(name, raw);
    this.stageIds.push(...Object.keys(rawStages));
    const views = new Map(this.stageIds.map((id) => [id, stageView(rawStages[id])]));
    for (const [id, view] of views) {
      if (view.uses === undefined) continue;
      const found = findStageType(view.uses);
      if ("error" in found) this.error(["stages", id, "uses"], found.error);
      else this.types.set(id, found);
    }
    for (const [id, view] of views) {
      this.edges.set(id, new Map());
      this.checkStage(id, view);
    }
    const defaults = Object.fromEntries(
      [...this.params].flatMap(([name, spec]) => spec === undefined ? [] : [[name, spec.default]]),
    );
    for (const [id, type] of this.types) {
      this.errors.push(
        ...bindStageParams(this.source, id, type, views.get(id)!.with, defaults).errors,
      );
    }
    const stages: ParsedStage[] = [];
    for (const id of this.stageIds) {
      const parsed = Stage.safeParse(rawStages[id]);
      const type = this.types.get(id);
      if (!parsed.success || type === undefined) continue;
      stages.push({ id, type, spec: parsed.data, deps: [...this.edges.get(id)!.keys()] });
    }
    const outputs = this.checkOutputs(isMapping(root.outputs) ? root.outputs : {});
    this.checkCycles();
    if (this.errors.length > 0 || !file.success) {
      return { errors: this.errors, source: this.source };
    }
    const params = Object.fromEntries([...this.params].map(([k, v]) => [k, v!]));
    const pipeline: ParsedPipeline = {
      source: this.source,
      name: file.data.name,
      description: file.data.description,
      params,
      stages,
      outputs,
    };
    return { pipeline, errors: [], source: this.source };
  }

  error(
    path: Path,
    message: string,
    opts?: { at?: "key" | "value"; range?: readonly [number, number] },
  ) {
    this.errors.push(this.source.error(path, message, opts));
  }

  declareParam(name: string, raw: unknown) {
    const parsed = ParamSpec.safeParse(raw);
    this.params.set(name, parsed.success ? parsed.data : undefined);
    if (!parsed.success) return;
    for (const e of paramSpecErrors(parsed.data)) this.error(["params", name, e.key], e.message);
  }

  checkStage(id: string, stage: StageView) {
    const base = ["stages", id];
    stage.after.forEach((dep, i) => {
      const path = [...base, "after", i];
      if (dep === id) this.error(path, `Cannot run stage "${id}" after itself`);
      else if (!this.stageIds.includes(dep)) {
        this.error(
          path,
          `Cannot run after "${dep}": no such stage${didYouMean(dep, this.stageIds)}`,
        );
      } else this.addEdge(id, dep, { path });
    });
    const type = this.types.get(id);
    const withPath = [...base, "with"];
    for (const [key, value] of Object.entries(stage.with)) {
      const path = [...withPath, key];
      if (type === undefined) {
        this.checkValue(id, key, path, value, undefined);
        continue;
      }
      const input = type.inputs[key];
      if (input !== undefined) {
        this.checkInput(id, path, value, key, input, type);
      } else if (Object.hasOwn(type.params.shape, key)) {
        this.checkValue(id, key, path, value, type);
      } else {
        const known = [...Object.keys(type.params.shape), ...Object.keys(type.inputs)];
        this.error(
          path,
          unknownKeyMessage(key, known, `not a param or input of ${stageTypeId(type)}`),
          { at: "key" },
        );
      }
    }
    if (type === undefined) return;
    for (const [name, input] of Object.entries(type.inputs)) {
      if (input.optional || Object.hasOwn(stage.with, name)) continue;
      const want = "type" in input ? ` ("${input.type}")` : "";
      this.error(
        Object.keys(stage.with).length > 0 ? withPath : base,
        `Cannot find required input "${name}"${want} of ${stageTypeId(type)}`,
      );
    }
  }

  /** A param value: literals, param references anywhere; artifacts only when the type is unknown. */
  checkValue(id: string, key: string, path: Path, value: unknown, type: StageType | undefined) {
    if (Array.isArray(value)) {
      return value.forEach((v, i) => this.checkValue(id, key, [...path, i], v, type));
    }
    if (isMapping(value)) {
      for (const [k, v] of Object.entries(value)) this.checkValue(id, key, [...path, k], v, type);
      return;
    }
    if (typeof value !== "string") return;
    for (const m of scanRefs(value)) {
      const range = this.refRange(path, m);
      if (m.ref === undefined) {
        this.error(path, m.error!, { range });
      } else if (m.ref.kind === "param") {
        this.checkParamRef(path, m.ref, range);
      } else if (type !== undefined) {
        const inputs = Object.keys(type.inputs);
        const reason = inputs.length > 0
          ? `artifacts go to inputs (${inputs.join(", ")})`
          : `${stageTypeId(type)} takes no inputs`;
        this.error(path, `Cannot pass ${refText(m.ref)} to param "${key}": ${reason}`, { range });
      } else {
        this.checkOutputRef(id, path, m.ref, range);
      }
    }
  }

  checkInput(
    id: string,
    path: Path,
    value: unknown,
    name: string,
    input: InputSpec,
    type: StageType,
  ) {
    if ("type" in input) return this.checkArtifact(id, path, value, name, input, type);
    if (!isMapping(value) || Object.keys(value).length === 0) {
      this.error(
        path,
        `Cannot accept ${show(value)} as input "${name}": expected a mapping of names to {${
          Object.keys(input.table).join(", ")
        }}`,
      );
      return;
    }
    const columns = Object.keys(input.table);
    for (const [row, cells] of Object.entries(value)) {
      const rowPath = [...path, row];
      if (!IDENTIFIER.test(row)) {
        this.error(
          rowPath,
          `Cannot use "${row}" as a name: must be lowercase letters, digits and underscores, starting with a letter`,
          { at: "key" },
        );
      }
      if (!isMapping(cells)) {
        this.error(
          rowPath,
          `Cannot accept ${show(cells)} for "${row}": expected a mapping of ${columns.join(", ")}`,
        );
        continue;
      }
      for (const [col, cell] of Object.entries(cells)) {
        const column = input.table[col];
        if (column === undefined) {
          this.error([...rowPath, col], unknownKeyMessage(col, columns), { at: "key" });
        } else {this.checkArtifact(id, [...rowPath, col], cell, `${name}.${row}.${col}`, {
            ...column,
            doc: "",
          }, type);}
      }
      for (const [col, column] of Object.entries(input.table)) {
        if (!column.optional && !Object.hasOwn(cells, col)) {
          this.error(
            rowPath,
            `Cannot find required input "${name}.${row}.${col}" ("${column.type}") of ${
              stageTypeId(type)
            }`,
          );
        }
      }
    }
  }

  checkArtifact(
    id: string,
    path: Path,
    value: unknown,
    name: string,
    input: ArtifactInput,
    type: StageType,
  ) {
    const m = typeof value === "string" ? wholeRef(value) : undefined;
    const expected = `\${{ stages.<id>.outputs.<name> }} of type "${input.type}"`;
    if (m === undefined || m.ref === undefined) {
      const message = m?.error ??
        `Cannot accept ${show(value)} as input "${name}" of ${
          stageTypeId(type)
        }: expected ${expected}`;
      this.error(path, message, { range: m === undefined ? undefined : this.refRange(path, m) });
      return;
    }
    const range = this.refRange(path, m);
    if (m.ref.kind === "param") {
      this.error(path, `Cannot pass ${refText(m.ref)} to input "${name}": expected ${expected}`, {
        range,
      });
      return;
    }
    const produced = this.checkOutputRef(id, path, m.ref, range);
    if (produced !== undefined && produced !== input.type) {
      this.error(
        path,
        `Cannot pass "${produced}" from ${refText(m.ref)} to input "${name}" of ${
          stageTypeId(type)
        }: expected "${input.type}"`,
        { range },
      );
    }
  }

  /** Checks a stage-output reference and records the edge; returns the output's type when known. */
  checkOutputRef(
    id: string | undefined,
    path: Path,
    ref: Extract<Ref, { kind: "output" }>,
    range?: readonly [number, number],
  ): ArtifactType | undefined {
    const what = `"stages.${ref.stage}.outputs.${ref.output}"`;
    if (!this.stageIds.includes(ref.stage)) {
      this.error(
        path,
        `Cannot resolve ${what}: no stage "${ref.stage}"${didYouMean(ref.stage, this.stageIds)}`,
        { range },
      );
      return undefined;
    }
    if (id !== undefined) {
      if (ref.stage === id) {
        this.error(path, `Cannot resolve ${what}: a stage cannot use its own outputs`, { range });
        return undefined;
      }
      this.addEdge(id, ref.stage, { path, range });
    }
    const producer = this.types.get(ref.stage);
    if (producer === undefined) return undefined;
    const type = producer.outputs[ref.output];
    if (type === undefined) {
      const outputs = Object.keys(producer.outputs);
      const near = didYouMean(ref.output, outputs);
      const hint = near !== "" ? near : ` (outputs: ${outputs.join(", ")})`;
      this.error(
        path,
        `Cannot resolve ${what}: ${stageTypeId(producer)} has no output "${ref.output}"${hint}`,
        { range },
      );
    }
    return type;
  }

  checkParamRef(
    path: Path,
    ref: Extract<Ref, { kind: "param" }>,
    range: readonly [number, number] | undefined,
  ) {
    const [name, ...rest] = ref.path;
    const what = `"params.${ref.path.join(".")}"`;
    if (!this.params.has(name)) {
      this.error(
        path,
        `Cannot resolve ${what}: no param "${name}"${didYouMean(name, [...this.params.keys()])}`,
        { range },
      );
      return;
    }
    const spec = this.params.get(name);
    if (spec === undefined || rest.length === 0) return;
    if (spec.type !== "object") {
      this.error(path, `Cannot resolve ${what}: param "${name}" is ${spec.type}, not object`, {
        range,
      });
      return;
    }
    let node: unknown = spec.default;
    for (const key of rest) {
      if (!isMapping(node) || !Object.hasOwn(node, key)) {
        const known = isMapping(node) ? Object.keys(node) : [];
        this.error(
          path,
          `Cannot resolve ${what}: no key "${key}" in the default of "${name}"${
            didYouMean(key, known)
          }`,
          { range },
        );
        return;
      }
      node = node[key];
    }
  }

  checkOutputs(raw: Record<string, unknown>): Record<string, OutputRef> {
    const out: Record<string, OutputRef> = {};
    for (const [name, value] of Object.entries(raw)) {
      const path = ["outputs", name];
      const m = typeof value === "string" ? wholeRef(value) : undefined;
      if (m?.ref?.kind !== "output") {
        const range = m === undefined ? undefined : this.refRange(path, m);
        this.error(
          path,
          m?.error ??
            `Cannot accept ${
              show(value)
            } as output "${name}": expected \${{ stages.<id>.outputs.<name> }}`,
          { range },
        );
        continue;
      }
      const type = this.checkOutputRef(undefined, path, m.ref, this.refRange(path, m));
      if (type !== undefined) {
        out[name] = { kind: "output", stage: m.ref.stage, output: m.ref.output, type };
      }
    }
    return out;
  }

  addEdge(from: string, to: string, edge: Edge) {
    const edges = this.edges.get(from)!;
    if (!edges.has(to)) edges.set(to, edge);
  }

  checkCycles() {
    const deps = new Map([...this.edges].map(([id, e]) => [id, [...e.keys()]]));
    for (const cycle of findCycles(this.stageIds, deps)) {
      const next = cycle[1 % cycle.length];
      const edge = this.edges.get(cycle[0])!.get(next)!;
      const chain = [...cycle, cycle[0]].map((s) => `"${s}"`).join(" → ");
      this.error(edge.path, `Cannot order stages: cycle ${chain} (each needs the next)`, {
        range: edge.range,
      });
    }
  }

  /** The offsets of a reference inside the string written at `path`, when it can be found. */
  refRange(path: Path, m: RefMatch): readonly [number, number] | undefined {
    const range = this.source.valueRange(path);
    if (range === undefined) return undefined;
    const at = this.source.text.slice(range[0], range[1]).indexOf(m.text);
    return at < 0 ? range : [range[0] + at, range[0] + at + m.text.length];
  }
}
