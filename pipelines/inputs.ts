/**
 * Checking a stage's artifact inputs and resolving them to output references: one artifact
 * (`${{ stages.<id>.outputs.<name> }}` of the input's type), or a table of them, written by row
 * (a mapping of row names to columns) or by column, each column taking one output from every stage
 * of a family:
 *
 * ```yaml
 * models:                                        # rows: cgml, l1, … (the ids after "eval.")
 *   denoise: ${{ stages.eval.*.outputs.metrics }}
 *   linear: ${{ stages.linear.*.outputs.metrics }}
 * ```
 *
 * @module
 */

import {
  acceptedTypes,
  type ArtifactInput,
  describeTypes,
  type InputSpec,
  type StageType,
  stageTypeId,
} from "./catalog/mod.ts";
import type { Path } from "./diagnostics.ts";
import { show } from "./issues.ts";
import { isMapping } from "./params.ts";
import type { OutputRef, References, Site } from "./references.ts";
import { refText, wholeRef } from "./refs.ts";
import { IDENTIFIER, unknownKeyMessage } from "./schema.ts";

/** A stage input: one output reference, or (for table inputs) rows of named references. */
export type InputValue = OutputRef | { [name: string]: InputValue };

type Table = Extract<InputSpec, { table: unknown }>;

/** Checks input `name` written at `path`; returns it resolved when it has no errors. */
export function checkInput(
  refs: References,
  site: Site,
  path: Path,
  value: unknown,
  name: string,
  input: InputSpec,
  type: StageType,
): InputValue | undefined {
  if ("type" in input) return checkArtifact(refs, site, path, value, name, input, type);
  if (!isMapping(value) || Object.keys(value).length === 0) {
    refs.error(
      path,
      `Cannot accept ${show(value)} as input "${name}": expected a mapping of names to {${
        Object.keys(input.table).join(", ")
      }}`,
    );
    return undefined;
  }
  const byColumn = Object.values(value).some(isFamilyRef);
  return byColumn
    ? tableByColumn(refs, site, path, value, name, input, type)
    : tableByRow(refs, site, path, value, name, input, type);
}

/** True for a string that is exactly one `${{ stages.<prefix>.*.outputs.<name> }}`. */
function isFamilyRef(v: unknown): boolean {
  const ref = typeof v === "string" ? wholeRef(v)?.ref : undefined;
  return ref?.kind === "output" && ref.parts.some((p) => "all" in p);
}

function tableByRow(
  refs: References,
  site: Site,
  path: Path,
  value: Record<string, unknown>,
  name: string,
  input: Table,
  type: StageType,
): InputValue | undefined {
  const columns = Object.keys(input.table);
  const rows: Record<string, Record<string, InputValue>> = {};
  let ok = true;
  for (const [row, cells] of Object.entries(value)) {
    const rowPath = [...path, row];
    if (!IDENTIFIER.test(row)) {
      ok = false;
      refs.error(
        rowPath,
        `Cannot use "${row}" as a name: must be lowercase letters, digits and underscores, starting with a letter`,
        { at: "key" },
      );
    }
    if (!isMapping(cells)) {
      ok = false;
      refs.error(
        rowPath,
        `Cannot accept ${show(cells)} for "${row}": expected a mapping of ${columns.join(", ")}`,
      );
      continue;
    }
    rows[row] = {};
    for (const [col, cell] of Object.entries(cells)) {
      const column = input.table[col];
      if (column === undefined) {
        ok = false;
        refs.error([...rowPath, col], unknownKeyMessage(col, columns), { at: "key" });
        continue;
      }
      const spec = { ...column, doc: "" };
      const ref = checkArtifact(
        refs,
        site,
        [...rowPath, col],
        cell,
        `${name}.${row}.${col}`,
        spec,
        type,
      );
      if (ref === undefined) ok = false;
      else rows[row][col] = ref;
    }
    ok = requireColumns(refs, rowPath, Object.keys(cells), name, row, input, type) && ok;
  }
  return ok ? rows : undefined;
}

function tableByColumn(
  refs: References,
  site: Site,
  path: Path,
  value: Record<string, unknown>,
  name: string,
  input: Table,
  type: StageType,
): InputValue | undefined {
  const columns = Object.keys(input.table);
  const rows: Record<string, Record<string, OutputRef>> = {};
  let ok = true;
  for (const [col, cell] of Object.entries(value)) {
    const colPath = [...path, col];
    const column = input.table[col];
    const m = typeof cell === "string" ? wholeRef(cell) : undefined;
    if (!isFamilyRef(cell) || m?.ref?.kind !== "output") {
      ok = false;
      refs.error(
        colPath,
        `Cannot mix rows and "*" columns in input "${name}": write every column as ` +
          "${{ stages.<id>.*.outputs.<name> }}, or every row as a mapping of columns",
      );
      continue;
    }
    if (column === undefined) {
      ok = false;
      refs.error(colPath, unknownKeyMessage(col, columns), { at: "key" });
      continue;
    }
    const range = refs.refRange(colPath, m);
    const members = refs.family(site, colPath, m.ref, range);
    if (members === undefined) {
      ok = false;
      continue;
    }
    for (const { row, ref } of members) {
      if (ref.type !== column.type) {
        ok = false;
        refs.error(
          colPath,
          `Cannot pass "${ref.type}" from \${{ stages.${ref.stage}.outputs.${ref.output} }} to ` +
            `input "${name}.${row}.${col}" of ${stageTypeId(type)}: expected "${column.type}"`,
          { range },
        );
        continue;
      }
      (rows[row] ??= {})[col] = ref;
    }
  }
  for (const [row, cells] of Object.entries(rows)) {
    ok = requireColumns(refs, path, Object.keys(cells), name, row, input, type) && ok;
  }
  return ok ? rows : undefined;
}

function requireColumns(
  refs: References,
  path: Path,
  given: readonly string[],
  name: string,
  row: string,
  input: Table,
  type: StageType,
): boolean {
  let ok = true;
  for (const [col, column] of Object.entries(input.table)) {
    if (column.optional || given.includes(col)) continue;
    ok = false;
    refs.error(
      path,
      `Cannot find required input "${name}.${row}.${col}" ("${column.type}") of ${
        stageTypeId(type)
      }`,
    );
  }
  return ok;
}

/** Checks one artifact input; returns its output reference when it is valid. */
export function checkArtifact(
  refs: References,
  site: Site,
  path: Path,
  value: unknown,
  name: string,
  input: ArtifactInput,
  type: StageType,
): OutputRef | undefined {
  const m = typeof value === "string" ? wholeRef(value) : undefined;
  const expected = `\${{ stages.<id>.outputs.<name> }} of type ${describeTypes(input)}`;
  if (m === undefined || m.ref === undefined) {
    const message = m?.error ??
      `Cannot accept ${show(value)} as input "${name}" of ${
        stageTypeId(type)
      }: expected ${expected}`;
    refs.error(path, message, { range: m === undefined ? undefined : refs.refRange(path, m) });
    return undefined;
  }
  const range = refs.refRange(path, m);
  if (m.ref.kind !== "output") {
    refs.error(path, `Cannot pass ${refText(m.ref)} to input "${name}": expected ${expected}`, {
      range,
    });
    return undefined;
  }
  const produced = refs.output(site, path, m.ref, range);
  if (produced === undefined) return undefined;
  if (!acceptedTypes(input).includes(produced.type)) {
    refs.error(
      path,
      `Cannot pass "${produced.type}" from ${refText(m.ref)} to input "${name}" of ${
        stageTypeId(type)
      }: expected ${describeTypes(input)}`,
      { range },
    );
    return undefined;
  }
  return produced;
}
