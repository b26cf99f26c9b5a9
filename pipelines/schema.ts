/**
 * The zod schema of pipeline files (version 1) and of override files.
 *
 * Every mapping is closed: an unknown key is an error that names the nearest known key.
 * References (`${{ … }}`) and stage `with:` values are checked against the catalog later, in
 * `refs.ts` and `bind.ts`; this schema only fixes the shape of the file.
 *
 * @module
 */

import { z } from "zod";
import { closest } from "./suggest.ts";

/** Pipeline names: lowercase letters, digits and dashes. */
export const PIPELINE_NAME = /^[a-z][a-z0-9-]*$/;
/** Param names, output names and matrix keys: lowercase letters, digits and underscores. */
export const IDENTIFIER = /^[a-z][a-z0-9_]*$/;
/**
 * Stage ids: an identifier, optionally followed by dot-separated names (`train.cgml`), the form
 * that expanded matrix stages take (`train.l1`, `eval.cgml.p01`).
 */
export const STAGE_ID = /^[a-z][a-z0-9_]*(\.[a-z0-9][a-z0-9_]*)*$/;
/** Durations such as `500ms`, `10s`, `5m`, `2h`. */
export const DURATION = /^([0-9]+)(ms|s|m|h)$/;

/** The message for an unknown key, with a suggestion or the list of known keys. */
export function unknownKeyMessage(
  key: string,
  known: readonly string[],
  reason = "unknown key",
): string {
  const near = closest(key, known);
  const hint = near !== undefined
    ? ` (did you mean "${near}"?)`
    : known.length > 0
    ? ` (expected one of ${known.map((k) => `"${k}"`).join(", ")})`
    : "";
  return `Cannot accept key "${key}": ${reason}${hint}`;
}

/**
 * A closed mapping. An unknown-keys issue carries one message line per key, in the order of
 * the issue's `keys`, so that each key can be reported at its own position.
 */
export function closed<S extends z.ZodRawShape>(shape: S): z.ZodObject<S, z.core.$strict> {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === "unrecognized_keys"
        ? iss.keys.map((k) => unknownKeyMessage(k, known)).join("\n")
        : undefined,
  });
}

const nameOf = (pattern: RegExp, what: string) =>
  z.string().regex(pattern, { error: `must be ${what}` });

/** A param name, output name or matrix key. */
export const Identifier = nameOf(
  IDENTIFIER,
  "lowercase letters, digits and underscores, starting with a letter",
);

/** A stage id. */
export const StageId = nameOf(
  STAGE_ID,
  "lowercase letters, digits and underscores, starting with a letter, with dots between names",
);

/** A duration string (`500ms`, `10s`, `5m`, `2h`). */
export const Duration = z.string().regex(DURATION, {
  error: 'must be a duration such as "10s", "5m" or "2h"',
});

/** Milliseconds in a duration string accepted by {@link Duration}. */
export function durationMs(text: string): number {
  const m = DURATION.exec(text);
  if (m === null) throw new RangeError(`Cannot read duration "${text}": expected e.g. "10s"`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[m[2] as "ms" | "s" | "m" | "h"];
  return Number(m[1]) * unit;
}

const doc = z.string().optional();
const scalar = z.union([z.string(), z.number()], { error: "expected a string or a number" });

/** The kinds of pipeline params. */
export const PARAM_TYPES = ["int", "float", "string", "bool", "enum", "list", "object"] as const;

/** A declared pipeline param: its type, default and constraints. */
export const ParamSpec = z.discriminatedUnion("type", [
  closed({
    type: z.literal("int"),
    default: z.int(),
    min: z.int().optional(),
    max: z.int().optional(),
    doc,
  }),
  closed({
    type: z.literal("float"),
    default: z.number(),
    min: z.number().optional(),
    max: z.number().optional(),
    doc,
  }),
  closed({ type: z.literal("string"), default: z.string(), doc }),
  closed({ type: z.literal("bool"), default: z.boolean(), doc }),
  closed({ type: z.literal("enum"), values: z.array(scalar).min(1), default: scalar, doc }),
  closed({ type: z.literal("list"), default: z.array(z.unknown()), doc }),
  closed({ type: z.literal("object"), default: z.record(z.string(), z.unknown()), doc }),
]);
/** A declared pipeline param. */
export type ParamSpec = z.output<typeof ParamSpec>;

/** Retry policy of a stage: total attempts (the first included) and the wait between them. */
export const Retry = closed({
  attempts: z.int().min(1).max(10),
  backoff: z.enum(["fixed", "exponential"]).default("exponential"),
  delay: Duration.default("5s"),
});
/** Retry policy of a stage. */
export type Retry = z.output<typeof Retry>;

/**
 * One stage: a catalog stage type, its parameters and inputs, and its run policy. With a
 * `matrix:` it is a template run once per combination of the matrix values (`matrix.ts` checks
 * the matrix and expands it).
 */
export const Stage = closed({
  matrix: z.unknown().optional(),
  uses: z.string(),
  with: z.record(z.string(), z.unknown()).default({}),
  after: z.array(z.string()).default([]),
  retry: Retry.optional(),
  cache: z.boolean().default(true),
  doc,
});
/** One stage as written in the file (references not yet resolved). */
export type Stage = z.output<typeof Stage>;

/** Most triggers one pipeline may declare. */
export const MAX_TRIGGERS = 16;

/**
 * One trigger: a pattern naming a marker object whose creation starts the pipeline, and the
 * param overrides of the job it starts (`${{ trigger.key }}` etc. allowed; see triggers.ts).
 */
export const Trigger = closed({
  key: z.string(),
  params: z.record(z.string(), z.unknown()).default({}),
  doc,
});
/** One trigger as written. */
export type Trigger = z.output<typeof Trigger>;

/** A pipeline file, version 1. */
export const PipelineFile = closed({
  version: z.literal(1),
  name: nameOf(PIPELINE_NAME, "lowercase letters, digits and dashes, starting with a letter"),
  description: z.string().optional(),
  params: z.record(Identifier, ParamSpec).default({}),
  triggers: z.array(Trigger).max(MAX_TRIGGERS).default([]),
  stages: z.record(StageId, Stage).refine((s) => Object.keys(s).length > 0, {
    error: "Cannot run a pipeline without stages",
  }),
  outputs: z.record(Identifier, z.string()).default({}),
});
/** A pipeline file as written (references not yet resolved). */
export type PipelineFile = z.output<typeof PipelineFile>;

/** An override file given with `-f`: new values for declared params. */
export const OverridesFile = closed({ params: z.record(z.string(), z.unknown()) });
