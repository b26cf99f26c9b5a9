/**
 * Pipeline params: checking values against their declarations and resolving the final values
 * (declared defaults < override files given with `-f`, in order < `--set a.b=v`, in order).
 *
 * @module
 */

import type { Diagnostic, Path } from "./diagnostics.ts";
import { issueDiagnostics, show } from "./issues.ts";
import { OverridesFile, type ParamSpec } from "./schema.ts";
import { didYouMean } from "./suggest.ts";
import { loadYaml } from "./yaml.ts";

/** Resolved param values by name. */
export type ParamValues = Record<string, unknown>;

/** An override file: its name (for errors) and text. */
export interface OverrideFile {
  file: string;
  text: string;
}

/** Result of {@link resolveParams}. */
export interface ResolvedParams {
  values: ParamValues;
  errors: Diagnostic[];
  /** Texts of the override files that were read, by name (for error excerpts). */
  sources: Map<string, string>;
}

/** Why `value` does not fit `spec`, or `undefined` when it does. */
export function paramValueError(spec: ParamSpec, value: unknown): string | undefined {
  switch (spec.type) {
    case "int":
    case "float": {
      if (typeof value !== "number" || (spec.type === "int" && !Number.isInteger(value))) {
        return `expected ${spec.type === "int" ? "an integer" : "a number"}`;
      }
      if (spec.min !== undefined && value < spec.min) return `must be >= ${spec.min}`;
      if (spec.max !== undefined && value > spec.max) return `must be <= ${spec.max}`;
      return undefined;
    }
    case "string":
      return typeof value === "string" ? undefined : "expected a string";
    case "bool":
      return typeof value === "boolean" ? undefined : "expected true or false";
    case "enum": {
      if (spec.values.includes(value as string | number)) return undefined;
      const strings = spec.values.filter((v): v is string => typeof v === "string");
      const hint = typeof value === "string" ? didYouMean(value, strings) : "";
      return `expected one of ${spec.values.map((v) => show(v)).join(", ")}${hint}`;
    }
    case "list":
      return Array.isArray(value) ? undefined : "expected a list";
    case "object":
      return isMapping(value) ? undefined : "expected a mapping";
  }
}

/** Checks a declaration: min <= max, enum values, and the default against its own constraints. */
export function paramSpecErrors(spec: ParamSpec): { key: string; message: string }[] {
  const out: { key: string; message: string }[] = [];
  if (
    (spec.type === "int" || spec.type === "float") && spec.min !== undefined &&
    spec.max !== undefined && spec.min > spec.max
  ) {
    out.push({ key: "max", message: `Cannot accept max ${spec.max}: it is below min ${spec.min}` });
  }
  const reason = paramValueError(spec, spec.default);
  if (reason !== undefined) {
    out.push({ key: "default", message: `Cannot accept default ${show(spec.default)}: ${reason}` });
  }
  return out;
}

/**
 * Resolves every declared param: defaults, then each override file, then each `--set`.
 * Object params are deep-merged; their default's keys are closed and their leaves keep their type.
 */
export function resolveParams(
  decls: Readonly<Record<string, ParamSpec>>,
  files: readonly OverrideFile[] = [],
  sets: readonly string[] = [],
): ResolvedParams {
  const values: ParamValues = {};
  for (const [name, spec] of Object.entries(decls)) values[name] = structuredClone(spec.default);
  const errors: Diagnostic[] = [];
  const sources = new Map<string, string>();
  for (const f of files) {
    sources.set(f.file, f.text);
    const loaded = loadYaml(f.file, f.text);
    errors.push(...loaded.errors);
    if (loaded.errors.length > 0) continue;
    const parsed = OverridesFile.safeParse(loaded.value);
    if (!parsed.success) {
      errors.push(
        ...issueDiagnostics(parsed.error.issues, {
          source: loaded.source,
          base: [],
          value: loaded.value,
        }),
      );
      continue;
    }
    applyOverrides(
      decls,
      values,
      parsed.data.params,
      (path, message, at) => errors.push(loaded.source.error(["params", ...path], message, { at })),
    );
  }
  for (const arg of sets) {
    const fail = (path: Path, message: string) =>
      errors.push({
        file: `--set ${arg}`,
        line: 0,
        col: 0,
        length: 1,
        path: `params.${path.join(".")}`,
        message,
      });
    const eq = arg.indexOf("=");
    const keys = (eq < 0 ? arg : arg.slice(0, eq)).split(".");
    if (keys[0] === "params") keys.shift();
    if (eq < 0 || keys.length === 0 || keys.some((k) => k === "")) {
      fail(keys, 'Cannot read --set: expected "name=value" or "name.key=value"');
      continue;
    }
    const [name, ...rest] = keys;
    const raw = arg.slice(eq + 1);
    const spec = decls[name];
    const target = spec === undefined ? undefined : leafAt(spec.default, rest);
    const value = keepRaw(spec, target) ? raw : readValue(raw);
    if (value instanceof Error) {
      fail(keys, `Cannot read value ${JSON.stringify(raw)}: ${value.message}`);
      continue;
    }
    apply(decls, values, name, rest, value, fail);
  }
  return { values, errors, sources };
}

/** Reports a problem at a path relative to the overrides' `params` mapping. */
export type Fail = (path: Path, message: string, at?: "key" | "value") => void;

/**
 * Applies a `params:` mapping of overrides to `values` (as an override file does): unknown
 * params and keys, and values of the wrong type, are reported through `fail` and skipped.
 */
export function applyOverrides(
  decls: Readonly<Record<string, ParamSpec>>,
  values: ParamValues,
  overrides: Readonly<Record<string, unknown>>,
  fail: Fail,
): void {
  for (const [name, value] of Object.entries(overrides)) {
    apply(decls, values, name, [], value, fail);
  }
}

function apply(
  decls: Readonly<Record<string, ParamSpec>>,
  values: ParamValues,
  name: string,
  rest: readonly string[],
  value: unknown,
  fail: Fail,
): void {
  const spec = decls[name];
  if (spec === undefined) {
    fail(
      [name],
      `Cannot set param "${name}": no such param${didYouMean(name, Object.keys(decls))}`,
      "key",
    );
    return;
  }
  if (rest.length > 0 && spec.type !== "object") {
    fail(
      [name, ...rest],
      `Cannot set "${[name, ...rest].join(".")}": param "${name}" is ${spec.type}, not object`,
    );
    return;
  }
  if (spec.type === "object") {
    const patch = rest.reduceRight<unknown>((v, k) => ({ [k]: v }), value);
    if (!isMapping(patch)) {
      fail([name], `Cannot set param "${name}" to ${show(value)}: expected a mapping`);
      return;
    }
    values[name] = merge(values[name] as Record<string, unknown>, patch, [name], fail);
    return;
  }
  const reason = paramValueError(spec, value);
  if (reason !== undefined) {
    fail([name], `Cannot set param "${name}" to ${show(value)}: ${reason}`);
    return;
  }
  values[name] = value;
}

function merge(
  base: Record<string, unknown>,
  patch: Record<string, unknown>,
  path: readonly string[],
  fail: Fail,
): Record<string, unknown> {
  const out = { ...base };
  const open = Object.keys(base).length === 0;
  for (const [key, value] of Object.entries(patch)) {
    const at = [...path, key];
    if (!open && !Object.hasOwn(base, key)) {
      fail(
        at,
        `Cannot set "${at.join(".")}": no such key${didYouMean(key, Object.keys(base))}`,
        "key",
      );
      continue;
    }
    const old = base[key];
    if (isMapping(old) && isMapping(value)) {
      out[key] = merge(old, value, at, fail);
      continue;
    }
    const want = kind(old);
    if (!open && old !== null && want !== kind(value)) {
      fail(at, `Cannot set "${at.join(".")}" to ${show(value)}: expected ${want}`);
      continue;
    }
    out[key] = value;
  }
  return out;
}

function kind(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (isMapping(v)) return "a mapping";
  if (typeof v === "number") return "a number";
  if (typeof v === "boolean") return "true or false";
  return typeof v === "string" ? "a string" : "null";
}

function leafAt(root: unknown, keys: readonly string[]): unknown {
  let v = root;
  for (const k of keys) v = isMapping(v) ? v[k] : undefined;
  return v;
}

function keepRaw(spec: ParamSpec | undefined, target: unknown): boolean {
  if (spec === undefined) return false;
  if (spec.type === "string") return true;
  if (spec.type === "enum") return spec.values.every((v) => typeof v === "string");
  return spec.type === "object" && typeof target === "string";
}

function readValue(raw: string): unknown {
  const loaded = loadYaml("--set", raw);
  const first = loaded.errors[0];
  return first === undefined
    ? loaded.value
    : new Error(first.message.replace(/^Cannot [^:]*: /, ""));
}

/** True for plain mappings (not lists, not null). */
export function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
