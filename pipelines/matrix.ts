/**
 * Stage matrices: one stage written once, run once per combination of its matrix values.
 *
 * ```yaml
 * train:
 *   matrix:
 *     model: [l1, cvae, ce]          # a list: each value names its expansion
 *     rate: { p01: 0.1, p02: 0.2 }   # a mapping: names to values (any YAML value)
 *   uses: baseline.train@1
 *   with:
 *     model: ${{ matrix.model }}
 * ```
 *
 * expands to `train.l1.p01`, `train.l1.p02`, `train.cvae.p01`, … (the first key varies slowest,
 * as in GitHub Actions' `strategy.matrix`; names as in DVC's `foreach` over a mapping).
 * `${{ matrix.rate }}` is the value (0.1); in a stage reference, `stages.task[matrix.rate]` is
 * `task.p01`, the entry's name (see refs.ts). Every expansion keeps the template's source
 * positions, so errors point at the template's lines; an error shared by every expansion is
 * reported once, at the template's path.
 *
 * @module
 */

import type { Diagnostic, Path } from "./diagnostics.ts";
import { show } from "./issues.ts";
import { isMapping } from "./params.ts";
import type { IdPart } from "./refs.ts";
import { IDENTIFIER } from "./schema.ts";
import { didYouMean } from "./suggest.ts";
import type { Source } from "./yaml.ts";

/** Names of matrix entries: the parts of expanded stage ids. */
export const ENTRY_NAME = /^[a-z0-9][a-z0-9_]*$/;

/** Most expansions one matrix stage may have (GitHub Actions' limit per matrix). */
export const MAX_EXPANSIONS = 256;

/** One expansion's entry for one matrix key: its name (in stage ids) and its value. */
export interface MatrixEntry {
  name: string;
  value: unknown;
}

/** One expansion's entries, by matrix key (in the order the keys are written). */
export type MatrixValues = ReadonlyMap<string, MatrixEntry>;

/** A stage as it will run: a stage written in the file, or one expansion of a matrix stage. */
export interface StageInstance {
  id: string;
  /** The stage mapping as written (for an expansion: the template's). */
  raw: unknown;
  /** The id written in the file: the stage's own, or its template's. */
  written: string;
  /** This expansion's entries; absent for a stage without a matrix. */
  matrix?: MatrixValues;
}

/** Result of {@link expandStages}. */
export interface Expanded {
  /** Every stage in file order, each template's expansions in its place. */
  instances: StageInstance[];
  /** Ids of each template's expansions, by template id. */
  templates: Map<string, string[]>;
  /** Matrix stages whose matrix has errors (and so no expansions). */
  broken: Set<string>;
  errors: Diagnostic[];
}

interface KeyValues {
  key: string;
  entries: (MatrixEntry & { at: Path })[];
}

/**
 * Expands every stage that has a `matrix:`. Checks the matrix (keys, value types, names, size)
 * and that no two stages end up with one id. Each expansion's source positions are aliased to
 * its template's, so `source.error(["stages", "train.l1", …])` points into the template.
 */
export function expandStages(source: Source, stages: Record<string, unknown>): Expanded {
  const errors: Diagnostic[] = [];
  const instances: StageInstance[] = [];
  const templates = new Map<string, string[]>();
  const broken = new Set<string>();
  const where = new Map<string, { written: string; at: Path }>();
  for (const id of Object.keys(stages)) {
    if (isMapping(stages[id]) && Object.hasOwn(stages[id], "matrix")) continue;
    where.set(id, { written: id, at: ["stages", id] });
  }
  for (const [written, raw] of Object.entries(stages)) {
    if (!isMapping(raw) || !Object.hasOwn(raw, "matrix")) {
      instances.push({ id: written, raw, written });
      continue;
    }
    const keys = matrixKeys(source, written, raw.matrix, errors);
    if (keys === undefined) {
      broken.add(written);
      continue;
    }
    const ids: string[] = [];
    for (const combination of product(keys)) {
      const id = [written, ...combination.map((e) => e.name)].join(".");
      const at = combination.at(-1)!.at;
      const clash = where.get(id);
      if (clash !== undefined) {
        errors.push(source.error(at, collision(written, id, clash.written, source, clash.at)));
        continue;
      }
      where.set(id, { written, at });
      ids.push(id);
      source.alias(["stages", id], ["stages", written]);
      const matrix = new Map(keys.map((k, i) => [k.key, combination[i]]));
      instances.push({ id, raw, written, matrix });
    }
    templates.set(written, ids);
  }
  return { instances, templates, broken, errors };
}

function collision(
  template: string,
  id: string,
  other: string,
  source: Source,
  otherAt: Path,
): string {
  const what = other === id
    ? `the stage "${id}" written at line ${source.error(otherAt, "").line}`
    : `an expansion of "${other}"`;
  return `Cannot expand stage "${template}" to "${id}": that id is taken by ${what}`;
}

function matrixKeys(
  source: Source,
  stage: string,
  matrix: unknown,
  errors: Diagnostic[],
): KeyValues[] | undefined {
  const at: Path = ["stages", stage, "matrix"];
  const fail = (path: Path, message: string, opts?: { at?: "key" | "value" }) => {
    errors.push(source.error(path, message, opts));
    return undefined;
  };
  if (!isMapping(matrix)) {
    return fail(at, `Cannot expand stage "${stage}": matrix must be a mapping of keys to values`);
  }
  if (Object.keys(matrix).length === 0) {
    return fail(at, `Cannot expand stage "${stage}": the matrix has no keys`, { at: "key" });
  }
  const keys: KeyValues[] = [];
  let ok = true;
  let count = 1;
  for (const [key, values] of Object.entries(matrix)) {
    const entries = matrixEntries(source, stage, [...at, key], key, values, errors);
    if (!IDENTIFIER.test(key)) {
      fail(
        [...at, key],
        `Cannot use "${key}" as a matrix key: must be lowercase letters, digits and underscores, starting with a letter`,
        { at: "key" },
      );
      ok = false;
    }
    if (entries === undefined) ok = false;
    else {
      keys.push({ key, entries });
      count *= entries.length;
    }
  }
  if (!ok) return undefined;
  if (count > MAX_EXPANSIONS) {
    return fail(
      at,
      `Cannot expand stage "${stage}": ${count} expansions is over the limit of ${MAX_EXPANSIONS}`,
      { at: "key" },
    );
  }
  return keys;
}

function matrixEntries(
  source: Source,
  stage: string,
  at: Path,
  key: string,
  values: unknown,
  errors: Diagnostic[],
): (MatrixEntry & { at: Path })[] | undefined {
  const before = errors.length;
  const entries: (MatrixEntry & { at: Path })[] = [];
  if (Array.isArray(values)) {
    values.forEach((value, i) => {
      const path = [...at, i];
      if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
        errors.push(source.error(
          path,
          `Cannot use ${
            value === null ? "null" : show(value)
          } as a value of matrix key "${key}": ` +
            "list values are strings, numbers or true/false; to name other values, write " +
            `the values as a mapping of names to values (${key}: {name: value})`,
        ));
        return;
      }
      const name = String(value);
      if (!ENTRY_NAME.test(name)) {
        errors.push(source.error(
          path,
          `Cannot name an expansion after ${show(value)}: names are lowercase letters, digits ` +
            `and underscores; write the values as a mapping of names to values (${key}: {name: value})`,
        ));
        return;
      }
      if (entries.some((e) => e.name === name)) {
        errors.push(source.error(
          path,
          `Cannot expand stage "${stage}": matrix key "${key}" repeats the name "${name}", so ` +
            "two expansions would have one id",
        ));
        return;
      }
      entries.push({ name, value, at: path });
    });
  } else if (isMapping(values)) {
    for (const [name, value] of Object.entries(values)) {
      const path = [...at, name];
      if (!ENTRY_NAME.test(name)) {
        errors.push(source.error(
          path,
          `Cannot name an expansion "${name}": names are lowercase letters, digits and underscores`,
          { at: "key" },
        ));
        continue;
      }
      entries.push({ name, value, at: path });
    }
  } else {
    errors.push(source.error(
      at,
      `Cannot use ${show(values)} as the values of matrix key "${key}": expected a list or a ` +
        "mapping of names to values",
    ));
    return undefined;
  }
  if (errors.length > before) return undefined;
  if (entries.length === 0) {
    errors.push(
      source.error(at, `Cannot expand stage "${stage}": matrix key "${key}" has no values`),
    );
    return undefined;
  }
  return entries;
}

/** Every combination of the keys' entries, the first key varying slowest. */
function* product(keys: readonly KeyValues[]): Generator<(MatrixEntry & { at: Path })[]> {
  if (keys.length === 0) {
    yield [];
    return;
  }
  const [first, ...rest] = keys;
  for (const entry of first.entries) {
    for (const tail of product(rest)) yield [entry, ...tail];
  }
}

/** The value of `${{ matrix.<path> }}` in one expansion, or why there is none. */
export function matrixLookup(
  matrix: MatrixValues | undefined,
  path: readonly string[],
): { value: unknown } | { error: string } {
  if (matrix === undefined) return { error: "this stage has no matrix" };
  const [key, ...fields] = path;
  const entry = matrix.get(key);
  if (entry === undefined) {
    const keys = [...matrix.keys()];
    const near = didYouMean(key, keys);
    return {
      error: `no matrix key "${key}"${near !== "" ? near : ` (keys: ${keys.join(", ")})`}`,
    };
  }
  let value = entry.value;
  for (const field of fields) {
    if (!isMapping(value) || !Object.hasOwn(value, field)) {
      const known = isMapping(value) ? Object.keys(value) : [];
      return {
        error: `no field "${field}" in the value of matrix key "${key}"${didYouMean(field, known)}`,
      };
    }
    value = value[field];
  }
  return { value: structuredClone(value) };
}

/** What a stage id in a reference stands for in one expansion. */
export type ResolvedId = { id: string } | { family: string } | { error: string };

/**
 * The stage id that `parts` name in an expansion with entries `matrix`: `[matrix.k]` is the
 * name of this expansion's entry for `k` (for a list, the value itself), `[matrix.k.f…]` the
 * value at that field of the entry's value, which must be a name. A final `*` gives the family
 * prefix instead (every stage whose id starts with it and a dot).
 */
export function resolveId(parts: readonly IdPart[], matrix: MatrixValues | undefined): ResolvedId {
  const names: string[] = [];
  for (const part of parts) {
    if ("all" in part) return { family: names.join(".") };
    if ("name" in part) {
      names.push(part.name);
      continue;
    }
    const found = matrixLookup(matrix, part.matrix);
    if ("error" in found) return found;
    if (part.matrix.length === 1) {
      names.push(matrix!.get(part.matrix[0])!.name);
      continue;
    }
    const v = found.value;
    const name = typeof v === "string" || typeof v === "number" || typeof v === "boolean"
      ? String(v)
      : undefined;
    if (name === undefined || !ENTRY_NAME.test(name)) {
      return {
        error: `matrix.${part.matrix.join(".")} is ${show(v)}, not a name ` +
          "(lowercase letters, digits and underscores)",
      };
    }
    names.push(name);
  }
  return { id: names.join(".") };
}

/**
 * Reports an error that every expansion of a template shares once, at the template's path
 * (`stages.train.with.width` rather than `stages.train.l1.with.width`, `…train.cvae…`, …).
 * An error only some expansions have keeps the expansion's path.
 */
export function mergeExpansionErrors(
  errors: readonly Diagnostic[],
  instances: readonly StageInstance[],
): Diagnostic[] {
  const expansions = instances.filter((s) => s.matrix !== undefined)
    .sort((a, b) => b.id.length - a.id.length);
  const counts = new Map<string, number>();
  for (const s of expansions) counts.set(s.written, (counts.get(s.written) ?? 0) + 1);
  const owner = (path: string) =>
    expansions.find((s) => {
      const head = `stages.${s.id}`;
      return path === head || path.startsWith(`${head}.`) || path.startsWith(`${head}[`);
    });
  const groups = new Map<
    string,
    { merged: Diagnostic; originals: Diagnostic[]; written: string }
  >();
  const order: (Diagnostic | string)[] = [];
  for (const d of errors) {
    const s = owner(d.path);
    if (s === undefined) {
      order.push(d);
      continue;
    }
    const path = `stages.${s.written}${d.path.slice(`stages.${s.id}`.length)}`;
    const key = JSON.stringify([d.file, d.line, d.col, d.message, path]);
    let group = groups.get(key);
    if (group === undefined) {
      group = { merged: { ...d, path }, originals: [], written: s.written };
      groups.set(key, group);
      order.push(key);
    }
    group.originals.push(d);
  }
  return order.flatMap((d) => {
    if (typeof d !== "string") return [d];
    const { merged, originals, written } = groups.get(d)!;
    return originals.length > 1 && originals.length === counts.get(written) ? [merged] : originals;
  });
}
