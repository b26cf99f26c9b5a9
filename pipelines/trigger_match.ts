/**
 * Which stored pipelines an object starts, and with what: pure functions over the triggers of
 * the stored pipelines (`pipelines/<name>.yaml`, as `PUT /v1/pipelines/{name}` writes them).
 *
 * - {@link indexStoredPipeline} reads one stored pipeline's triggers; {@link buildIndex} makes
 *   the index the matcher and the scan use; {@link planRefresh} says which stored pipelines must
 *   be read again after a listing (by ETag).
 * - {@link scanPrefixes}: the prefixes the worker's reconcile scan lists (each trigger's literal
 *   head, overlaps merged); {@link matchesAnyTrigger}: a cheap test of a listed key before its
 *   HEAD.
 * - {@link matchObject}: for one object version (bucket, key, ETag), the job requests to
 *   enqueue: one per pipeline with a matching trigger (its first), the same shape as an inbox
 *   request, `source` = the key, deduplicated by bucket + key + ETag (+ pipeline).
 *
 * Hostile keys start nothing: empty, over 1 KiB, absolute, `.`/`..`/empty segments, NUL or other
 * control characters, backslashes, broken UTF-16, or `${{` (so no key can read as a reference).
 *
 * @module
 */

import { createHash } from "node:crypto";
import { type Diagnostic, formatDiagnostic } from "./diagnostics.ts";
import { matchPattern } from "./glob.ts";
import { inboxIdempotencyKey } from "./inbox.ts";
import { type JobRequest, PIPELINE_NAME, PIPELINES_PREFIX } from "./jobs.ts";
import { isMapping } from "./params.ts";
import { parsePipeline } from "./parse.ts";
import { References } from "./references.ts";
import {
  checkTriggers,
  substituteTrigger,
  type TriggerSpec,
  type TriggerValues,
  triggerValues,
} from "./triggers.ts";
import { loadYaml } from "./yaml.ts";

/** Longest object key in UTF-8 bytes (the S3 limit). */
export const MAX_TRIGGER_KEY_BYTES = 1024;

/** Longest idempotency key the queue accepts. */
export const MAX_IDEMPOTENCY_KEY = 512;

/** Prefix of the notes explaining why a triggered job could not start. */
export const TRIGGER_REJECTED_PREFIX = "triggers-rejected/";

/** The triggers of one stored pipeline. */
export interface IndexedPipeline {
  /** The stored name (`pipelines/<name>.yaml`): what the job request names. */
  name: string;
  /** ETag of the stored text the triggers were read from. */
  etag: string;
  triggers: TriggerSpec[];
  /**
   * Set when the pipeline has triggers but does not validate (for instance after a catalog
   * change): its triggers still fire, and the job is rejected with the compiler's errors.
   */
  problem?: string;
}

/** The triggers of every stored pipeline, and the prefixes a scan lists. */
export interface TriggerIndex {
  /** By name; only pipelines with at least one trigger. */
  pipelines: readonly IndexedPipeline[];
  prefixes: readonly string[];
}

/** One version of one object, as an event or a listing + HEAD reports it. */
export interface ObjectEvent {
  bucket: string;
  key: string;
  /** ETag, quoted or not (MinIO and versitygw quote it; the store does not). */
  etag: string;
}

/** A job a trigger asks for: enqueue `request` with `idempotencyKey` and `source`. */
export interface TriggeredJob {
  pipeline: string;
  /** Index of the trigger in the pipeline's `triggers:`. */
  trigger: number;
  /** The trigger's key pattern. */
  pattern: string;
  values: TriggerValues;
  /** A job request as an inbox file would hold it: the pipeline's name and param overrides. */
  request: JobRequest & { pipeline: string; params: Record<string, unknown> };
  idempotencyKey: string;
  /** The object key, the job's `source`. */
  source: string;
}

/** Result of {@link matchObject}. */
export type TriggerMatch =
  | { kind: "refused"; reason: string }
  | { kind: "matched"; jobs: TriggeredJob[] };

/** The stored pipeline's name for a key `pipelines/<name>.yaml`, or `undefined`. */
export function storedPipelineName(key: string): string | undefined {
  if (!key.startsWith(PIPELINES_PREFIX) || !key.endsWith(".yaml")) return undefined;
  const name = key.slice(PIPELINES_PREFIX.length, -".yaml".length);
  return PIPELINE_NAME.test(name) ? name : undefined;
}

/**
 * Reads the triggers of stored pipeline `name` (text `text`, ETag `etag`). A pipeline that does
 * not validate keeps the triggers whose patterns are valid, with the first errors as `problem`.
 */
export function indexStoredPipeline(name: string, etag: string, text: string): IndexedPipeline {
  const file = `${PIPELINES_PREFIX}${name}.yaml`;
  const parsed = parsePipeline(file, text);
  if (parsed.pipeline !== undefined) return { name, etag, triggers: parsed.pipeline.triggers };
  const loaded = loadYaml(file, text);
  const raw = isMapping(loaded.value) ? loaded.value.triggers : undefined;
  if (raw === undefined) return { name, etag, triggers: [] };
  const refs = new References(loaded.source, [], new Map());
  const triggers = checkTriggers(refs, raw, false);
  return { name, etag, triggers, problem: summarize(parsed.errors) };
}

function summarize(errors: readonly Diagnostic[]): string {
  const shown = errors.slice(0, 3).map((d) => formatDiagnostic(d));
  if (errors.length > shown.length) shown.push(`… and ${errors.length - shown.length} more`);
  return shown.join("\n");
}

/** The index of `pipelines` (those without triggers are left out), sorted by name. */
export function buildIndex(pipelines: readonly IndexedPipeline[]): TriggerIndex {
  const withTriggers = pipelines.filter((p) => p.triggers.length > 0)
    .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return { pipelines: withTriggers, prefixes: scanPrefixes(withTriggers) };
}

/**
 * The prefixes to list so that every object any trigger can match is seen: each pattern's
 * literal head (`datasets/` for `datasets/<*>/_READY`, the whole key for a pattern without
 * wildcards), dropping those inside another. Sorted.
 */
export function scanPrefixes(pipelines: readonly IndexedPipeline[]): string[] {
  const heads = [
    ...new Set(pipelines.flatMap((p) => p.triggers.map((t) => t.pattern.literalPrefix))),
  ].sort();
  const out: string[] = [];
  for (const head of heads) {
    if (!out.some((kept) => head.startsWith(kept))) out.push(head);
  }
  return out;
}

/**
 * Which stored pipelines to read again after listing `listed` (name and current ETag): those
 * new or changed. `keep` holds the still-current entries of `previous`; removed pipelines are
 * in neither.
 */
export function planRefresh(
  previous: readonly IndexedPipeline[],
  listed: readonly { name: string; etag: string }[],
): { keep: IndexedPipeline[]; read: { name: string; etag: string }[] } {
  const known = new Map(previous.map((p) => [p.name, p]));
  const keep: IndexedPipeline[] = [];
  const read: { name: string; etag: string }[] = [];
  for (const entry of listed) {
    const old = known.get(entry.name);
    if (old !== undefined && old.etag === entry.etag) keep.push(old);
    else read.push(entry);
  }
  return { keep, read };
}

/** True when some trigger of the index matches `key` (no other check). */
export function matchesAnyTrigger(index: TriggerIndex, key: string): boolean {
  if (!index.prefixes.some((p) => key.startsWith(p))) return false;
  return index.pipelines.some((p) => p.triggers.some((t) => matchPattern(t.pattern, key)));
}

/** An ETag as the store reports it: without `W/` and surrounding quotes. */
export function normalizeEtag(etag: string): string {
  return etag.replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}

/** Why `key` cannot start a job, or `undefined` when it can. */
export function keyProblem(key: string): string | undefined {
  if (key === "") return "it is empty";
  if (!key.isWellFormed()) return "it is not valid UTF-16 (a lone surrogate)";
  if (new TextEncoder().encode(key).length > MAX_TRIGGER_KEY_BYTES) {
    return `it is longer than ${MAX_TRIGGER_KEY_BYTES} bytes`;
  }
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) return "it contains NUL or a control character";
  if (key.includes("\\")) return "it contains a backslash";
  if (key.startsWith("/") || /^[A-Za-z]:/.test(key)) return "it is an absolute path";
  if (key.includes("${{")) return 'it contains "${{"';
  if (key.endsWith("/")) return 'it ends with "/"';
  for (const segment of key.split("/")) {
    if (segment === "") return 'it contains an empty segment ("//")';
    if (segment === "." || segment === "..") return `it contains a "${segment}" segment`;
  }
  return undefined;
}

/**
 * The queue's idempotency key for the job pipeline `pipeline` starts from one object version:
 * the inbox's `s3:<bucket>/<key>#<etag>` prefixed with `trigger:<pipeline>:`, or, when that is
 * over {@link MAX_IDEMPOTENCY_KEY} characters, `trigger:<pipeline>:sha256:<hex of the same>`.
 */
export function triggerIdempotencyKey(
  pipeline: string,
  bucket: string,
  key: string,
  etag: string,
): string {
  const identity = inboxIdempotencyKey(bucket, key, normalizeEtag(etag));
  const readable = `trigger:${pipeline}:${identity}`;
  if (readable.length <= MAX_IDEMPOTENCY_KEY) return readable;
  return `trigger:${pipeline}:sha256:${createHash("sha256").update(identity).digest("hex")}`;
}

/**
 * Key of the note saying why object `key` could not start pipeline `pipeline`:
 * `triggers-rejected/<pipeline>/<key>.json`, or `…/<pipeline>/sha256-<hex of key>.json` when
 * that would be over the key limit.
 */
export function triggerRejectionKey(pipeline: string, key: string): string {
  const plain = `${TRIGGER_REJECTED_PREFIX}${pipeline}/${key}.json`;
  if (new TextEncoder().encode(plain).length <= MAX_TRIGGER_KEY_BYTES) return plain;
  const hex = createHash("sha256").update(key).digest("hex");
  return `${TRIGGER_REJECTED_PREFIX}${pipeline}/sha256-${hex}.json`;
}

/**
 * The jobs one object version starts: for each pipeline of the index (by name), its first
 * trigger whose pattern matches the key, with the trigger's params substituted. A hostile key,
 * an empty bucket or ETag is refused; a key no trigger matches gives no jobs.
 */
export function matchObject(index: TriggerIndex, event: ObjectEvent): TriggerMatch {
  const problem = keyProblem(event.key);
  const key = JSON.stringify(event.key.slice(0, 200));
  if (problem !== undefined) {
    return { kind: "refused", reason: `Cannot start a pipeline from key ${key}: ${problem}` };
  }
  const etag = normalizeEtag(event.etag);
  if (event.bucket === "" || etag === "") {
    return {
      kind: "refused",
      reason: `Cannot start a pipeline from key ${key}: the event has no bucket or no ETag`,
    };
  }
  const jobs: TriggeredJob[] = [];
  const values = triggerValues(event.bucket, event.key);
  for (const pipeline of index.pipelines) {
    const trigger = pipeline.triggers.find((t) => matchPattern(t.pattern, event.key));
    if (trigger === undefined) continue;
    const params = substituteTrigger(trigger.params, values) as Record<string, unknown>;
    jobs.push({
      pipeline: pipeline.name,
      trigger: trigger.index,
      pattern: trigger.pattern.text,
      values,
      request: { pipeline: pipeline.name, params },
      idempotencyKey: triggerIdempotencyKey(pipeline.name, event.bucket, event.key, etag),
      source: event.key,
    });
  }
  return { kind: "matched", jobs };
}
