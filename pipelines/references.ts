/**
 * Checking references against a pipeline: params and their default's keys, matrix keys, stage
 * ids (literal, through `[matrix.<key>]`, or every stage of a family with `*`) and their outputs.
 * Stage references become DAG edges; cycles are reported at the edge that closes them.
 *
 * @module
 */

import { type ArtifactType, type StageType, stageTypeId } from "./catalog/mod.ts";
import type { Diagnostic, Path } from "./diagnostics.ts";
import { findCycles } from "./graph.ts";
import { matrixLookup, type MatrixValues, resolveId } from "./matrix.ts";
import { isMapping } from "./params.ts";
import type { OutputRefExpr, Ref, RefMatch } from "./refs.ts";
import type { ParamSpec } from "./schema.ts";
import { IDENTIFIER } from "./schema.ts";
import { didYouMean } from "./suggest.ts";
import type { Source } from "./yaml.ts";

/** A reference to one output of one stage, with the output's artifact type. */
export interface OutputRef {
  kind: "output";
  stage: string;
  output: string;
  type: ArtifactType;
}

/** Where a reference is written: in a stage (and which expansion), or in `outputs` (no id). */
export interface Site {
  id?: string;
  matrix?: MatrixValues;
  /** Whether the pipeline declares triggers (for the message about a `${{ trigger.… }}`). */
  triggered?: boolean;
}

type Range = readonly [number, number];

interface Edge {
  path: Path;
  range?: Range;
}

/** One stage of a family named by a `*` reference, with its row name and output. */
export interface FamilyMember {
  row: string;
  ref: OutputRef;
}

/** Collects errors and edges while references are checked. */
export class References {
  readonly errors: Diagnostic[] = [];
  readonly params = new Map<string, ParamSpec | undefined>();
  readonly types = new Map<string, StageType>();
  readonly edges = new Map<string, Map<string, Edge>>();
  readonly #known: ReadonlySet<string>;

  /**
   * `ids`: every stage id after expansion, in file order; `templates`: expansions by template;
   * `broken`: matrix stages whose matrix has errors (references into them are not reported again).
   */
  constructor(
    readonly source: Source,
    readonly ids: readonly string[],
    readonly templates: ReadonlyMap<string, readonly string[]>,
    readonly broken: ReadonlySet<string> = new Set(),
  ) {
    this.#known = new Set(ids);
    for (const id of ids) this.edges.set(id, new Map());
  }

  /** True when `id` is a stage (written or expanded). */
  has(id: string): boolean {
    return this.#known.has(id);
  }

  /** Records an error at `path` (or at `range`). */
  error(path: Path, message: string, opts?: { at?: "key" | "value"; range?: Range }) {
    this.errors.push(this.source.error(path, message, opts));
  }

  /** The offsets of a reference inside the string written at `path`, when it can be found. */
  refRange(path: Path, m: RefMatch): Range | undefined {
    const range = this.source.valueRange(path);
    if (range === undefined) return undefined;
    const at = this.source.text.slice(range[0], range[1]).indexOf(m.text);
    return at < 0 ? range : [range[0] + at, range[0] + at + m.text.length];
  }

  /** Checks a `${{ params.… }}` reference against the declared params and their defaults. */
  checkParamRef(path: Path, ref: Extract<Ref, { kind: "param" }>, range?: Range) {
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

  /** Checks a `${{ matrix.… }}` reference against the expansion's matrix entries. */
  checkMatrixRef(site: Site, path: Path, ref: Extract<Ref, { kind: "matrix" }>, range?: Range) {
    const found = matrixLookup(site.matrix, ref.path);
    if ("error" in found) {
      const reason = site.matrix === undefined ? this.#noMatrix(site) : found.error;
      this.error(path, `Cannot resolve "matrix.${ref.path.join(".")}": ${reason}`, { range });
    }
  }

  /**
   * Checks a reference to one stage's output and records the edge; returns it, resolved, when
   * the stage exists and has that output.
   */
  output(site: Site, path: Path, ref: OutputRefExpr, range?: Range): OutputRef | undefined {
    const what = `"stages.${ref.stage}.outputs.${ref.output}"`;
    const resolved = resolveId(ref.parts, site.matrix);
    if ("family" in resolved) {
      this.error(
        path,
        `Cannot resolve ${what}: "*" (every stage of a family) is only allowed in a table input ` +
          "written by column",
        { range },
      );
      return undefined;
    }
    if ("error" in resolved) {
      const reason = site.matrix === undefined ? this.#noMatrix(site) : resolved.error;
      this.error(path, `Cannot resolve ${what}: ${reason}`, { range });
      return undefined;
    }
    const id = resolved.id;
    if (!this.has(id)) {
      if (!this.inBroken(id)) {
        this.error(path, `Cannot resolve ${what}: ${this.unknownStage(id)}`, { range });
      }
      return undefined;
    }
    return this.#link(site, path, id, ref.output, what, range);
  }

  /**
   * The stages of the family that a `${{ stages.<prefix>.*.outputs.<name> }}` reference names,
   * each with its row name (the id after the prefix, dots turned into underscores).
   */
  family(site: Site, path: Path, ref: OutputRefExpr, range?: Range): FamilyMember[] | undefined {
    const what = `"stages.${ref.stage}.outputs.${ref.output}"`;
    const resolved = resolveId(ref.parts, site.matrix);
    if ("error" in resolved) {
      const reason = site.matrix === undefined ? this.#noMatrix(site) : resolved.error;
      this.error(path, `Cannot resolve ${what}: ${reason}`, { range });
      return undefined;
    }
    if ("id" in resolved) return undefined;
    const prefix = `${resolved.family}.`;
    const ids = this.ids.filter((id) => id.startsWith(prefix) && id !== site.id);
    if (ids.length === 0) {
      if (this.inBroken(prefix)) return undefined;
      const families = new Set(
        this.ids.flatMap((id) =>
          id.split(".").slice(0, -1).map((_, i, a) => a.slice(0, i + 1).join("."))
        ),
      );
      const near = didYouMean(resolved.family, families);
      this.error(path, `Cannot resolve ${what}: no stage id starts with "${prefix}"${near}`, {
        range,
      });
      return undefined;
    }
    const members: FamilyMember[] = [];
    const rows = new Map<string, string>();
    for (const id of ids) {
      const row = id.slice(prefix.length).replaceAll(".", "_");
      const twin = rows.get(row);
      if (!IDENTIFIER.test(row) || twin !== undefined) {
        const reason = twin !== undefined
          ? `"${twin}" and "${id}" both give the row "${row}"`
          : `"${id}" gives the row "${row}", which is not a name starting with a letter`;
        this.error(path, `Cannot resolve ${what}: ${reason}`, { range });
        return undefined;
      }
      rows.set(row, id);
      const out = this.#link(site, path, id, ref.output, what, range);
      if (out === undefined) return undefined;
      members.push({ row, ref: out });
    }
    return members;
  }

  #link(
    site: Site,
    path: Path,
    id: string,
    output: string,
    what: string,
    range?: Range,
  ): OutputRef | undefined {
    if (site.id !== undefined) {
      if (id === site.id) {
        this.error(path, `Cannot resolve ${what}: a stage cannot use its own outputs`, { range });
        return undefined;
      }
      this.addEdge(site.id, id, { path, range });
    }
    const producer = this.types.get(id);
    if (producer === undefined) return undefined;
    const type = producer.outputs[output];
    if (type === undefined) {
      const outputs = Object.keys(producer.outputs);
      const near = didYouMean(output, outputs);
      const hint = near !== "" ? near : ` (outputs: ${outputs.join(", ")})`;
      this.error(
        path,
        `Cannot resolve ${what}: ${stageTypeId(producer)} has no output "${output}"${hint}`,
        { range },
      );
      return undefined;
    }
    return { kind: "output", stage: id, output, type };
  }

  /** True when `id` would be an expansion of a matrix stage whose matrix has errors. */
  inBroken(id: string): boolean {
    return [...this.broken].some((t) => id === t || id.startsWith(`${t}.`));
  }

  /** Why there is no stage `id`, with the expansions or a near id. */
  unknownStage(id: string): string {
    const own = this.templates.get(id);
    if (own !== undefined) {
      return `"${id}" is a matrix stage; name one of its expansions (${own.join(", ")})`;
    }
    const template = [...this.templates.keys()].filter((t) => id.startsWith(`${t}.`))
      .sort((a, b) => b.length - a.length)[0];
    if (template !== undefined) {
      const ids = this.templates.get(template)!;
      return `no stage "${id}" (${template} expands to ${ids.join(", ")})`;
    }
    return `no stage "${id}"${didYouMean(id, this.ids)}`;
  }

  /** Records that stage `from` needs stage `to`. */
  addEdge(from: string, to: string, edge: Edge) {
    const edges = this.edges.get(from)!;
    if (!edges.has(to)) edges.set(to, edge);
  }

  /** Reports every cycle at the edge that leaves its first stage. */
  checkCycles() {
    const deps = new Map([...this.edges].map(([id, e]) => [id, [...e.keys()]]));
    for (const cycle of findCycles(this.ids, deps)) {
      const next = cycle[1 % cycle.length];
      const edge = this.edges.get(cycle[0])!.get(next)!;
      const chain = [...cycle, cycle[0]].map((s) => `"${s}"`).join(" → ");
      this.error(edge.path, `Cannot order stages: cycle ${chain} (each needs the next)`, {
        range: edge.range,
      });
    }
  }

  #noMatrix(site: Site): string {
    return site.id === undefined
      ? "pipeline outputs have no matrix"
      : `stage "${site.id}" has no matrix`;
  }
}
