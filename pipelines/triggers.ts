/**
 * Pipeline triggers: objects written to the bucket that start a stored pipeline.
 *
 * ```yaml
 * triggers:
 *   - key: datasets/shapes/_READY      # a marker object; globs such as datasets/<*>/_READY
 *     params:                          # param overrides of the job it starts
 *       dataset:
 *         root: s3://${{ trigger.bucket }}/${{ trigger.prefix }}
 * ```
 *
 * A trigger fires on a **marker**, not on every file: the pattern's last segment is the marker's
 * name, written literally (`_READY`, `manifest.json`), so uploading 1 000 data files starts no
 * job and writing the marker starts exactly one. Debouncing per prefix was rejected: it guesses
 * when an upload is complete (a pause longer than the window starts a job on half a dataset),
 * and it needs per-prefix timers shared by the webhook and the scan, which a restart loses. The
 * marker is exact, stateless, and what the uploader already knows. Each marker version (bucket +
 * key + ETag) starts one job per pipeline, as an inbox request does; rewriting the marker with
 * the same bytes keeps its ETag and starts nothing, so write something new into it (a time, an
 * upload id) or use the dataset's manifest as the marker.
 *
 * In `params:` (and only there) `${{ trigger.key }}` is the marker's key, `${{ trigger.prefix }}`
 * its folder (the key up to and including its last `/`: the dataset's prefix) and
 * `${{ trigger.bucket }}` the bucket. A job started by hand gets the params' defaults instead.
 *
 * @module
 */

import type { Path } from "./diagnostics.ts";
import { type KeyPattern, parsePattern } from "./glob.ts";
import { applyOverrides, isMapping, type ParamValues } from "./params.ts";
import type { References } from "./references.ts";
import { type Ref, refPath, scanRefs } from "./refs.ts";
import type { ParamSpec } from "./schema.ts";
import { didYouMean } from "./suggest.ts";

/** The values a trigger passes: `${{ trigger.<name> }}`. */
export const TRIGGER_VALUES = ["key", "prefix", "bucket"] as const;

/** The values of one trigger firing. */
export type TriggerValues = Record<typeof TRIGGER_VALUES[number], string>;

/**
 * First segments a trigger may not watch: what the service writes itself (a pipeline triggered
 * by its own outputs would loop) and its control objects. Names starting with `.` are refused
 * too (the filesystem store's internal folder).
 */
export const RESERVED_PREFIXES = [
  "artifacts",
  "cache",
  "inbox",
  "inbox-rejected",
  "jobs",
  "models",
  "pipelines",
  "queue",
  "runs",
  "triggers-rejected",
] as const;

/** True when `key` lies under a {@link RESERVED_PREFIXES} folder (or a `.` folder). */
export function isReservedKey(key: string): boolean {
  const first = key.split("/", 1)[0];
  return first.startsWith(".") || (RESERVED_PREFIXES as readonly string[]).includes(first);
}

/** A checked trigger of a pipeline. */
export interface TriggerSpec {
  /** Position in `triggers:`. */
  index: number;
  pattern: KeyPattern;
  /** Param overrides as written (`${{ trigger.… }}` not yet substituted). */
  params: Record<string, unknown>;
  doc?: string;
}

/** The values of a trigger fired by object `key` in `bucket`. */
export function triggerValues(bucket: string, key: string): TriggerValues {
  return { key, prefix: key.slice(0, key.lastIndexOf("/") + 1), bucket };
}

/**
 * `value` with every `${{ trigger.<name> }}` replaced by its text, in one pass (a substituted
 * value is never read again for references).
 */
export function substituteTrigger(value: unknown, values: TriggerValues): unknown {
  if (Array.isArray(value)) return value.map((v) => substituteTrigger(v, values));
  if (isMapping(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteTrigger(v, values)]),
    );
  }
  if (typeof value !== "string") return value;
  let out = "";
  let from = 0;
  for (const m of scanRefs(value)) {
    const ref = m.ref;
    const name = ref?.kind === "trigger" && ref.path.length === 1 ? ref.path[0] : undefined;
    if (name === undefined || !isTriggerValue(name)) continue;
    out += value.slice(from, m.start) + values[name];
    from = m.end;
  }
  return out + value.slice(from);
}

function isTriggerValue(name: string): name is typeof TRIGGER_VALUES[number] {
  return (TRIGGER_VALUES as readonly string[]).includes(name);
}

/**
 * Checks `triggers:` (as far as it is well-formed: the schema reports the rest) and returns the
 * triggers with no errors. With `checkParams`, `params:` keys and values are checked against the
 * pipeline's declared params (`refs.params`), as an override file would be.
 */
export function checkTriggers(
  refs: References,
  raw: unknown,
  checkParams: boolean,
): TriggerSpec[] {
  if (!Array.isArray(raw)) return [];
  const out: TriggerSpec[] = [];
  const seen = new Map<string, number>();
  raw.forEach((trigger, index) => {
    if (!isMapping(trigger)) return;
    const before = refs.errors.length;
    const path = ["triggers", index];
    let pattern: KeyPattern | undefined;
    if (typeof trigger.key === "string") {
      pattern = checkPattern(refs, [...path, "key"], trigger.key);
      const first = seen.get(trigger.key);
      if (first !== undefined) {
        refs.error(
          [...path, "key"],
          `Cannot declare trigger "${trigger.key}" twice: triggers[${first}] has the same key`,
        );
      } else seen.set(trigger.key, index);
    }
    const params = isMapping(trigger.params) ? trigger.params : {};
    checkTriggerRefs(refs, [...path, "params"], params);
    if (checkParams) checkTriggerParams(refs, [...path, "params"], params);
    if (pattern === undefined || refs.errors.length > before) return;
    const doc = typeof trigger.doc === "string" ? trigger.doc : undefined;
    out.push({ index, pattern, params, ...(doc === undefined ? {} : { doc }) });
  });
  return out;
}

function checkPattern(refs: References, path: Path, text: string): KeyPattern | undefined {
  const fail = (reason: string, start = 0, end = text.length) => {
    const range = refs.source.valueRange(path);
    const at = range === undefined ? -1 : refs.source.text.slice(range[0], range[1]).indexOf(text);
    const exact = range === undefined || at < 0
      ? range
      : [range[0] + at + start, range[0] + at + Math.max(end, start + 1)] as const;
    refs.error(path, `Cannot trigger on "${text}": ${reason}`, { range: exact });
    return undefined;
  };
  const parsed = parsePattern(text);
  if ("message" in parsed) return fail(parsed.message, parsed.start, parsed.end);
  const { segments } = parsed;
  const [first] = text.split("/");
  if (segments.length < 2) {
    return fail("a pattern needs a folder and a marker name (e.g. datasets/*/_READY)");
  }
  if ("globstar" in segments[0] || segments[0].parts.length > 1) {
    return fail(
      "the first segment must be literal: it is the prefix the worker lists (e.g. datasets/…)",
      0,
      first.length,
    );
  }
  if (isReservedKey(text)) {
    return fail(
      `"${first}/" is written by the service itself (reserved: ${RESERVED_PREFIXES.join(", ")} ` +
        'and names starting with ".")',
      0,
      first.length,
    );
  }
  const last = segments[segments.length - 1];
  if ("globstar" in last || last.parts.length > 1) {
    const start = text.lastIndexOf("/") + 1;
    return fail(
      "the last segment must name the marker object literally (e.g. _READY or manifest.json), " +
        "so that uploading many files starts one job, not one per file",
      start,
      text.length,
    );
  }
  return parsed;
}

/** Every reference in `params:` must be a known `${{ trigger.<name> }}`. */
function checkTriggerRefs(refs: References, path: Path, value: unknown) {
  if (Array.isArray(value)) {
    return value.forEach((v, i) => checkTriggerRefs(refs, [...path, i], v));
  }
  if (isMapping(value)) {
    for (const [k, v] of Object.entries(value)) checkTriggerRefs(refs, [...path, k], v);
    return;
  }
  if (typeof value !== "string") return;
  for (const m of scanRefs(value)) {
    const range = refs.refRange(path, m);
    if (m.ref === undefined) refs.error(path, m.error!, { range });
    else if (m.ref.kind !== "trigger") {
      refs.error(
        path,
        `Cannot resolve "${refPath(m.ref)}" in trigger params: only ${available()} are known here`,
        { range },
      );
    } else {
      const problem = triggerPathProblem(m.ref.path);
      if (problem !== undefined) {
        refs.error(path, `Cannot resolve "${refPath(m.ref)}": ${problem}`, { range });
      }
    }
  }
}

function triggerPathProblem(path: readonly string[]): string | undefined {
  const [name, ...rest] = path;
  if (!isTriggerValue(name)) {
    const near = didYouMean(name, TRIGGER_VALUES);
    return `no trigger value "${name}"${
      near !== "" ? near : ` (values: ${TRIGGER_VALUES.join(", ")})`
    }`;
  }
  return rest.length > 0 ? `trigger.${name} is a string, it has no fields` : undefined;
}

function available(): string {
  return TRIGGER_VALUES.map((v) => `\${{ trigger.${v} }}`).join(", ");
}

/** Param names and values of `params:`, checked as an override file's would be. */
function checkTriggerParams(refs: References, path: Path, params: Record<string, unknown>) {
  const decls: Record<string, ParamSpec> = {};
  for (const [name, spec] of refs.params) if (spec !== undefined) decls[name] = spec;
  const values: ParamValues = Object.fromEntries(
    Object.entries(decls).map(([name, spec]) => [name, structuredClone(spec.default)]),
  );
  const known = Object.fromEntries(
    Object.entries(params).filter(([name]) => !refs.params.has(name) || name in decls),
  );
  applyOverrides(
    decls,
    values,
    known,
    (at, message, where) => refs.error([...path, ...at], message, { at: where }),
  );
}

/**
 * The message for `${{ trigger.… }}` written outside `triggers[].params` (in a stage's `with:`
 * or a param's default): `declared` says whether the pipeline has triggers at all.
 */
export function misplacedTriggerRef(ref: Extract<Ref, { kind: "trigger" }>, declared: boolean) {
  const what = `"${refPath(ref)}"`;
  return declared
    ? `Cannot resolve ${what} here: trigger values are only known in triggers[].params; set a ` +
      "param there and read it here as ${{ params.<name> }}"
    : `Cannot resolve ${what}: the pipeline declares no triggers (trigger values are only known ` +
      "in triggers[].params)";
}

/** Reports `${{ trigger.… }}` inside param defaults, which are literal values. */
export function checkDefaultsForTriggerRefs(
  refs: References,
  params: Record<string, unknown>,
  declared: boolean,
) {
  const walk = (path: Path, value: unknown): void => {
    if (Array.isArray(value)) return value.forEach((v, i) => walk([...path, i], v));
    if (isMapping(value)) {
      for (const [k, v] of Object.entries(value)) walk([...path, k], v);
      return;
    }
    if (typeof value !== "string") return;
    for (const m of scanRefs(value)) {
      if (m.ref?.kind !== "trigger") continue;
      refs.error(path, misplacedTriggerRef(m.ref, declared), { range: refs.refRange(path, m) });
    }
  };
  for (const [name, spec] of Object.entries(params)) {
    if (isMapping(spec) && Object.hasOwn(spec, "default")) {
      walk(["params", name, "default"], spec.default);
    }
  }
}
