/**
 * Binding param and matrix values into a stage's `with:` and validating the result against the
 * stage type's params schema from the catalog.
 *
 * @module
 */

import { type StageType, stageTypeId } from "./catalog/mod.ts";
import type { Diagnostic, Path } from "./diagnostics.ts";
import { issueDiagnostics } from "./issues.ts";
import { matrixLookup, type MatrixValues } from "./matrix.ts";
import { isMapping, type ParamValues } from "./params.ts";
import { type Ref, scanRefs, wholeRef } from "./refs.ts";
import type { Source } from "./yaml.ts";

/** Stands for a reference that cannot be resolved (already reported by the static checks). */
const UNRESOLVED = Symbol("unresolved");

/** Result of {@link bindStageParams}: `params` is set only when there are no errors. */
export interface BoundParams {
  params?: Record<string, unknown>;
  errors: Diagnostic[];
}

/**
 * Substitutes `${{ params.… }}` and `${{ matrix.… }}` (this expansion's `matrix` entries) in the
 * param keys of a stage's `with:` (a whole-string reference keeps the value's type; one inside a
 * longer string is interpolated as text) and validates the result, applying the catalog
 * defaults. Keys holding unresolvable references are skipped.
 */
export function bindStageParams(
  source: Source,
  id: string,
  type: StageType,
  given: Readonly<Record<string, unknown>>,
  values: ParamValues,
  matrix?: MatrixValues,
): BoundParams {
  const lookup = (ref: Ref | undefined): unknown => {
    if (ref?.kind === "param") return lookupParam(values, ref.path);
    if (ref?.kind !== "matrix") return UNRESOLVED;
    const found = matrixLookup(matrix, ref.path);
    return "value" in found ? found.value : UNRESOLVED;
  };
  const raw: Record<string, unknown> = {};
  const origin = new Map<string, string>();
  const skipped = new Set<string>();
  const inputs = new Set<string>();
  for (const [key, value] of Object.entries(given)) {
    if (Object.hasOwn(type.inputs, key)) {
      inputs.add(key);
      continue;
    }
    if (!Object.hasOwn(type.params.shape, key)) continue;
    const bound = substitute(value, lookup);
    if (containsUnresolved(bound)) skipped.add(key);
    raw[key] = bound;
    const ref = typeof value === "string" ? wholeRef(value)?.ref : undefined;
    if (ref?.kind === "param") origin.set(key, `params.${ref.path.join(".")}`);
    if (ref?.kind === "matrix") origin.set(key, `matrix.${ref.path.join(".")}`);
  }
  const base: Path = ["stages", id, "with"];
  const parsed = type.params.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.filter((iss) => !skipped.has(String(iss.path[0])));
    const errors = issueDiagnostics(issues, {
      source,
      base,
      value: raw,
      suffix: (path) => {
        const from = origin.get(String(path[0]));
        return from === undefined ? "" : ` (from ${from})`;
      },
    }).map((d) => ({
      ...d,
      message: d.message.replace(
        /^Cannot find required key "(.*)"$/,
        `Cannot find required param "$1" of ${stageTypeId(type)}`,
      ),
    }));
    return { errors };
  }
  const reason = type.check?.(parsed.data, inputs);
  if (reason !== undefined) return { errors: [source.error(base, reason)] };
  // A param at the default of its catalog `added(…)` schema resolves to undefined: left out.
  const params = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined));
  return { params, errors: [] };
}

function substitute(value: unknown, lookup: (ref: Ref | undefined) => unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => substitute(v, lookup));
  if (isMapping(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, lookup)]));
  }
  if (typeof value !== "string") return value;
  const whole = wholeRef(value);
  if (whole !== undefined) return lookup(whole.ref);
  let out = "";
  let from = 0;
  for (const m of scanRefs(value)) {
    const v = lookup(m.ref);
    if (v === UNRESOLVED) return UNRESOLVED;
    out += value.slice(from, m.start) + (typeof v === "string" ? v : JSON.stringify(v));
    from = m.end;
  }
  return out + value.slice(from);
}

function lookupParam(values: ParamValues, path: readonly string[]): unknown {
  let v: unknown = values;
  for (const key of path) {
    if (!isMapping(v) || !Object.hasOwn(v, key)) return UNRESOLVED;
    v = v[key];
  }
  return structuredClone(v);
}

function containsUnresolved(v: unknown): boolean {
  if (v === UNRESOLVED) return true;
  if (Array.isArray(v)) return v.some(containsUnresolved);
  return isMapping(v) && Object.values(v).some(containsUnresolved);
}
