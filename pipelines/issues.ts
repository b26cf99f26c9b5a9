/**
 * Turns zod issues into positioned diagnostics with "Cannot <action>: <reason>" messages.
 *
 * @module
 */

import type { z } from "zod";
import type { Diagnostic, Path } from "./diagnostics.ts";
import { didYouMean } from "./suggest.ts";
import type { Source } from "./yaml.ts";

/** Where issues are reported: a source, the document path of the validated value, and the value. */
export interface IssueContext {
  source: Source;
  /** Path of the validated value inside the source document. */
  base: Path;
  /** The validated value (to quote offending values in messages). */
  value: unknown;
  /** Appended to every message, e.g. ` (from params.epochs)`. */
  suffix?: (path: Path) => string;
}

/** One diagnostic per offending key or value. */
export function issueDiagnostics(
  issues: readonly z.core.$ZodIssue[],
  ctx: IssueContext,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (path: Path, message: string, at?: "key" | "value") => {
    const full = [...ctx.base, ...path];
    out.push(ctx.source.error(full, message + (ctx.suffix?.(path) ?? ""), { at }));
  };
  for (const iss of issues) {
    const path = iss.path as Path;
    const value = valueAt(ctx.value, path);
    switch (iss.code) {
      case "unrecognized_keys": {
        const lines = iss.message.split("\n");
        iss.keys.forEach((key, i) =>
          report([...path, key], lines[i] ?? `Cannot accept key "${key}": unknown key`, "key")
        );
        break;
      }
      case "invalid_type":
        if (value === undefined) {
          const key = path.at(-1);
          report(path, `Cannot find required key "${String(key)}"`);
        } else {
          report(path, `Cannot accept ${show(value)}: expected ${expected(iss.expected)}`);
        }
        break;
      case "too_small":
      case "too_big":
        report(path, `Cannot accept ${show(value)}: ${bound(iss)}`);
        break;
      case "invalid_value":
        if (value === undefined) {
          report(path, `Cannot find required key "${String(path.at(-1))}"`);
        } else {
          report(path, `Cannot accept ${show(value)}: expected ${oneOf(iss.values, value)}`);
        }
        break;
      case "invalid_union": {
        const [at, message] = unionReport(iss, path, ctx.value, value);
        report(at, message);
        break;
      }
      case "invalid_key": {
        const reason = iss.issues[0]?.message ?? "invalid name";
        report(path, `Cannot use ${show(path.at(-1))} as a name: ${reason}`, "key");
        break;
      }
      case "invalid_format":
        report(path, `Cannot accept ${show(value)}: ${iss.message}`);
        break;
      default:
        report(
          path,
          iss.message.startsWith("Cannot")
            ? iss.message
            : `Cannot accept ${show(value)}: ${iss.message}`,
        );
    }
  }
  return out;
}

/** The accepted values of an enum or literal, with a suggestion near `value`. */
function oneOf(values: readonly unknown[], value: unknown): string {
  const options = values.map((v) => show(v)).join(", ");
  const hint = typeof value === "string"
    ? didYouMean(value, values.filter((v): v is string => typeof v === "string"))
    : "";
  return `${values.length === 1 ? "" : "one of "}${options}${hint}`;
}

/**
 * Where a union's issue is reported and its message: at the discriminator of a discriminated
 * union (its options listed), else at the value.
 */
function unionReport(
  iss: Extract<z.core.$ZodIssue, { code: "invalid_union" }>,
  path: Path,
  root: unknown,
  value: unknown,
): [Path, string] {
  if (iss.discriminator === undefined) {
    return [path, `Cannot accept ${show(value)}: ${iss.message}`];
  }
  const at = path.at(-1) === iss.discriminator ? path : [...path, iss.discriminator];
  const got = valueAt(root, at);
  const options = "options" in iss && Array.isArray(iss.options) ? iss.options.map(String) : [];
  const list = options.map((o) => `"${o}"`).join(", ");
  const hint = typeof got === "string" ? didYouMean(got, options) : "";
  return got === undefined
    ? [path, `Cannot find required key "${iss.discriminator}" (one of ${list})`]
    : [at, `Cannot accept ${iss.discriminator} ${show(got)}: expected one of ${list}${hint}`];
}

/** The value at `path` inside `root`, or `undefined`. */
export function valueAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const part of path) {
    if (v === null || typeof v !== "object" || !Object.hasOwn(v, part)) return undefined;
    v = (v as Record<string | number, unknown>)[part];
  }
  return v;
}

/** A short rendering of a value for messages: JSON for scalars, "a mapping" / "a list" otherwise. */
export function show(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (v !== null && typeof v === "object") return "a mapping";
  if (v === undefined) return "nothing";
  const text = JSON.stringify(v);
  return text.length > 60 ? `${text.slice(0, 57)}..."` : text;
}

function expected(type: string): string {
  const names: Record<string, string> = {
    int: "an integer",
    number: "a number",
    string: "a string",
    boolean: "true or false",
    object: "a mapping",
    record: "a mapping",
    array: "a list",
    null: "null",
  };
  return names[type] ?? type;
}

function bound(iss: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = iss.code === "too_small";
  const limit = Number(
    small ? (iss as z.core.$ZodIssueTooSmall).minimum : (iss as z.core.$ZodIssueTooBig).maximum,
  );
  const inclusive = iss.inclusive !== false;
  if (iss.origin === "array" || iss.origin === "set") {
    return small
      ? `expected at least ${limit} item${limit === 1 ? "" : "s"}`
      : `expected at most ${limit} item${limit === 1 ? "" : "s"}`;
  }
  if (iss.origin === "string") {
    return small ? `expected at least ${limit} characters` : `expected at most ${limit} characters`;
  }
  const op = small ? (inclusive ? ">=" : ">") : (inclusive ? "<=" : "<");
  return `must be ${op} ${limit}`;
}
