/**
 * Cache keys, stage records and the HIT / MISS / RUN decision for every stage, with a reason.
 *
 * Cache key = sha256 of canonical JSON of {recipe, stage type@version, resolved params, the
 * content hash of every input artifact, fingerprints of local files the stage reads}.
 * Input hashes come from a callback: they are known only once the upstream outputs exist.
 * The store is read through {@link CacheReader}, a minimal view of the object store in `infra/`;
 * where records live is `store_keys.ts`.
 *
 * @module
 */

import { z } from "zod";
import { isMapping } from "./params.ts";
import { isOutputRef, type OutputRef } from "./parse.ts";
import type { InputValue, Plan, PlannedStage } from "./plan.ts";
import { lastRunKey, recordKey } from "./store_keys.ts";

/** Version of the cache-key recipe; bump it when the key material changes. */
export const CACHE_RECIPE = 1;

/**
 * The store operations the planner needs: a structural subset of infra's `ObjectStore`, which
 * can be passed as is. A missing object rejects with an error named `NotFoundError`.
 */
export interface CacheReader {
  /** The object's bytes. */
  get(key: string): Promise<{ body: Uint8Array }>;
  /** The object's metadata. */
  head(key: string): Promise<unknown>;
}

/** Content hash of output `output` of stage `stage`, or `undefined` while unknown. */
export type HashLookup = (stage: string, output: string) => string | undefined;

/**
 * Fingerprint of what a stage param names: a local file or folder, or a bucket dataset
 * (`s3://…`, see `fingerprint.ts`). `field` is the param's path (`stages.shapes.with.root`),
 * for errors.
 */
export type Fingerprint = (path: string, field: string) => Promise<string>;

/**
 * Why the thing a param names changed between two fingerprints, for a MISS reason
 * (`dataset changed: 3 added, 1 changed`); `null` when it cannot say.
 */
export type DescribeChange = (before: string, after: string) => Promise<string | null>;

/** A stored artifact: content hash and the store key holding it. */
export const ArtifactRecord = z.object({
  hash: z.string(),
  key: z.string(),
  size: z.number().optional(),
});
/** A stored artifact. */
export type ArtifactRecord = z.output<typeof ArtifactRecord>;

/** What one stage run consumed and produced; stored under {@link recordKey} and in run records. */
export const StageRecord = z.object({
  version: z.literal(1),
  key: z.string(),
  stage: z.string(),
  uses: z.string(),
  params: z.record(z.string(), z.unknown()),
  /** Input hashes by input path (`maps`, `models.cgml.curves`). */
  inputs: z.record(
    z.string(),
    z.object({ stage: z.string(), output: z.string(), hash: z.string() }),
  ),
  /** Fingerprints of local files and folders by param name. */
  external: z.record(z.string(), z.string()),
  outputs: z.record(z.string(), ArtifactRecord),
  run: z.string(),
  created: z.string(),
});
/** What one stage run consumed and produced. */
export type StageRecord = z.output<typeof StageRecord>;

/** One pipeline run: resolved params and the record of every stage (run or restored). */
export const RunRecord = z.object({
  version: z.literal(1),
  id: z.string(),
  pipeline: z.string(),
  params: z.record(z.string(), z.unknown()),
  stages: z.record(z.string(), StageRecord),
});
/** One pipeline run. */
export type RunRecord = z.output<typeof RunRecord>;

/** JSON with sorted keys and no spaces; the canonical form that keys are hashed from. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isMapping(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
  }
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new RangeError(`Cannot hash ${value}: only finite numbers are allowed`);
  }
  return JSON.stringify(value) ?? "null";
}

/** Hex sha256 of a string's UTF-8 bytes. */
export async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Every output reference among a stage's inputs, by input path (`maps`, `models.cgml.curves`). */
export function inputRefs(inputs: Readonly<Record<string, InputValue>>): Map<string, OutputRef> {
  const out = new Map<string, OutputRef>();
  const walk = (path: string, v: InputValue) => {
    if (isOutputRef(v)) out.set(path, v);
    else for (const [k, child] of Object.entries(v)) walk(`${path}.${k}`, child);
  };
  for (const [name, v] of Object.entries(inputs)) walk(name, v);
  return out;
}

/** Fingerprints of the local paths a stage reads (params listed in its type's `reads`). */
export async function externalFingerprints(
  stage: PlannedStage,
  fingerprint: Fingerprint | undefined,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of stage.type.reads ?? []) {
    const path = stage.params[name];
    if (typeof path !== "string" || path === "") continue;
    if (fingerprint === undefined) {
      throw new Error(
        `Cannot compute the cache key of "${stage.id}": it reads "${path}" and no fingerprint function was given`,
      );
    }
    out[name] = await fingerprint(path, `stages.${stage.id}.with.${name}`);
  }
  return out;
}

/** The cache key of a stage, or `undefined` while an input's hash is unknown. */
export async function cacheKey(
  stage: PlannedStage,
  hashOf: HashLookup,
  external: Readonly<Record<string, string>> = {},
): Promise<string | undefined> {
  const inputs: Record<string, string> = {};
  for (const [path, ref] of inputRefs(stage.inputs)) {
    const hash = hashOf(ref.stage, ref.output);
    if (hash === undefined) return undefined;
    inputs[path] = hash;
  }
  return await sha256(
    canonicalJson({
      recipe: CACHE_RECIPE,
      uses: stage.uses,
      params: stage.params,
      inputs,
      external,
    }),
  );
}

/** Builds the record of a stage run, for the cache and for the run record. */
export function stageRecord(
  stage: PlannedStage,
  run: {
    key: string;
    hashOf: HashLookup;
    external: Readonly<Record<string, string>>;
    outputs: Readonly<Record<string, ArtifactRecord>>;
    run: string;
    created: Date;
  },
): StageRecord {
  const inputs: StageRecord["inputs"] = {};
  for (const [path, ref] of inputRefs(stage.inputs)) {
    const hash = run.hashOf(ref.stage, ref.output);
    if (hash === undefined) {
      throw new Error(`Cannot record stage "${stage.id}": input "${path}" has no hash`);
    }
    inputs[path] = { stage: ref.stage, output: ref.output, hash };
  }
  return {
    version: 1,
    key: run.key,
    stage: stage.id,
    uses: stage.uses,
    params: stage.params,
    inputs,
    external: { ...run.external },
    outputs: { ...run.outputs },
    run: run.run,
    created: run.created.toISOString(),
  };
}

/** What the runner should do with a stage, and why. */
export interface Decision {
  stage: string;
  /** HIT: restore the cached outputs; MISS: run (key not cached); RUN: run (caching off). */
  action: "HIT" | "MISS" | "RUN";
  /** Known once every input hash is known. */
  key?: string;
  /** E.g. `key=3f9c2a1b0d4e (from run r_0142)`, `param sigma 0.02 → 0.05`, `cache: false`. */
  reason: string;
  /** The cached record, on a HIT. */
  record?: StageRecord;
  /** Fingerprints of the local paths the stage reads (for its record), when computed. */
  external?: Record<string, string>;
}

/** What {@link decide} consults. */
export interface DecideContext {
  /** Where cache records and artifacts live; `null` when there is no store. */
  store: CacheReader | null;
  /** The previous run of this pipeline, to explain misses. */
  previous: RunRecord | null;
  hashOf: HashLookup;
  fingerprint?: Fingerprint;
  /** Says what changed where a fingerprint differs from the previous run's (default: nothing). */
  describeChange?: DescribeChange;
  /**
   * Upstream stages whose outputs are not known yet, with why (e.g. `changed`), so that a
   * stage whose key cannot be computed says which upstream it waits for.
   */
  pending?: ReadonlyMap<string, string>;
}

/** Decides HIT, MISS or RUN for one stage. */
export async function decide(stage: PlannedStage, ctx: DecideContext): Promise<Decision> {
  const external = await externalFingerprints(stage, ctx.fingerprint);
  if (!stage.cache) {
    return {
      stage: stage.id,
      action: "RUN",
      reason: stage.type.uncached ?? "cache: false",
      external,
    };
  }
  const key = await cacheKey(stage, ctx.hashOf, external);
  const previous = ctx.previous?.stages[stage.id];
  const changes = previous === undefined ? [] : [
    ...differences(stage, previous, ctx.hashOf),
    ...await externalChanges(previous.external, external, ctx.describeChange),
  ];
  if (key === undefined) {
    const waiting = new Set<string>();
    for (const ref of inputRefs(stage.inputs).values()) {
      if (ctx.hashOf(ref.stage, ref.output) === undefined) waiting.add(ref.stage);
    }
    const byReason = new Map<string, string[]>();
    for (const id of waiting) {
      const why = ctx.pending?.get(id) ?? "has not run";
      byReason.set(why, [...byReason.get(why) ?? [], id]);
    }
    const reasons = [...byReason].map(([why, ids]) => `upstream ${listed(ids)} ${why}`);
    return {
      stage: stage.id,
      action: "MISS",
      reason: [...changes, ...reasons].join("; "),
      external,
    };
  }
  const record = ctx.store === null ? null : await readRecord(ctx.store, key);
  if (record !== null) {
    const missing = await missingOutputs(ctx.store!, record);
    if (missing.length === 0) {
      const reason = `key=${key.slice(0, 12)} (from run ${record.run})`;
      return { stage: stage.id, action: "HIT", key, reason, record, external };
    }
    return {
      stage: stage.id,
      action: "MISS",
      key,
      reason: `cached output "${missing[0]}" is missing`,
      external,
    };
  }
  if (changes.length > 0) {
    return { stage: stage.id, action: "MISS", key, reason: changes.join("; "), external };
  }
  const why = ctx.store === null
    ? "no cache store"
    : ctx.previous === null
    ? "not cached"
    : previous === undefined
    ? "new stage"
    : `not in cache (key=${key.slice(0, 12)})`;
  return { stage: stage.id, action: "MISS", key, reason: why, external };
}

/**
 * Decides every stage without running anything (the `plan` command): a HIT's recorded output
 * hashes feed the keys downstream; a stage below a MISS or RUN waits for it.
 */
export async function planRun(
  plan: Plan,
  ctx: Omit<DecideContext, "hashOf" | "pending">,
): Promise<Decision[]> {
  const known = new Map<string, Record<string, string>>();
  const pending = new Map<string, string>();
  const hashOf: HashLookup = (stage, output) => known.get(stage)?.[output];
  const out: Decision[] = [];
  for (const stage of plan.stages) {
    const d = await decide(stage, { ...ctx, hashOf, pending });
    out.push(d);
    if (d.action === "HIT") {
      known.set(
        stage.id,
        Object.fromEntries(Object.entries(d.record!.outputs).map(([k, v]) => [k, v.hash])),
      );
    } else {
      const before = ctx.previous?.stages[stage.id] !== undefined;
      pending.set(stage.id, d.action === "MISS" && before ? "changed" : "will run");
    }
  }
  return out;
}

/** One line per stage: id, stage type, action and reason, in aligned columns. */
export function formatDecisions(plan: Plan, decisions: readonly Decision[]): string {
  const uses = new Map(plan.stages.map((s) => [s.id, s.uses]));
  const w1 = Math.max(...decisions.map((d) => d.stage.length));
  const w2 = Math.max(...decisions.map((d) => uses.get(d.stage)!.length));
  return decisions.map((d) =>
    `${d.stage.padEnd(w1)}  ${uses.get(d.stage)!.padEnd(w2)}  ${d.action.padEnd(4)} ${d.reason}`
  ).join("\n") + "\n";
}

const MAX_LISTED = 3;

function differences(stage: PlannedStage, previous: StageRecord, hashOf: HashLookup): string[] {
  const out: string[] = [];
  if (previous.uses !== stage.uses) out.push(`stage type ${previous.uses} → ${stage.uses}`);
  const before = leaves(previous.params);
  const after = leaves(stage.params);
  const changed = [...new Set([...before.keys(), ...after.keys()])].filter((k) =>
    before.get(k) !== after.get(k)
  );
  for (const k of changed.slice(0, MAX_LISTED)) {
    out.push(`param ${k} ${before.get(k) ?? "(none)"} → ${after.get(k) ?? "(none)"}`);
  }
  if (changed.length > MAX_LISTED) out.push(`${changed.length - MAX_LISTED} more params`);
  const upstream = new Set<string>();
  for (const [path, ref] of inputRefs(stage.inputs)) {
    const hash = hashOf(ref.stage, ref.output);
    if (hash !== undefined && previous.inputs[path]?.hash !== hash) upstream.add(ref.stage);
  }
  if (upstream.size > 0) out.push(`upstream ${listed([...upstream])} changed`);
  return out;
}

/** `dataset changed: 1 added` (from `describe`) or `files at root changed`, per changed param. */
async function externalChanges(
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
  describe: DescribeChange | undefined,
): Promise<string[]> {
  const out: string[] = [];
  for (const [name, fp] of Object.entries(after)) {
    const was = before[name];
    if (was === fp) continue;
    const why = was === undefined ? null : await describe?.(was, fp);
    out.push(why ?? `files at ${name} changed`);
  }
  return out;
}

function listed(ids: readonly string[]): string {
  const names = ids.slice(0, MAX_LISTED).map((id) => `"${id}"`).join(", ");
  return ids.length > MAX_LISTED ? `${names} and ${ids.length - MAX_LISTED} more` : names;
}

function leaves(value: unknown, prefix = "", out = new Map<string, string>()): Map<string, string> {
  if (isMapping(value)) {
    for (const [k, v] of Object.entries(value)) {
      leaves(v, prefix === "" ? k : `${prefix}.${k}`, out);
    }
  } else {
    out.set(prefix, JSON.stringify(value));
  }
  return out;
}

async function readRecord(store: CacheReader, key: string): Promise<StageRecord | null> {
  const record = await readJson(store, recordKey(key), StageRecord);
  return record !== null && record.key === key ? record : null;
}

/** The latest run record of a pipeline, or `null` when there is none (or it is unreadable). */
export function readRunRecord(store: CacheReader, pipeline: string): Promise<RunRecord | null> {
  return readJson(store, lastRunKey(pipeline), RunRecord);
}

async function readJson<T>(
  store: CacheReader,
  key: string,
  schema: z.ZodType<T>,
): Promise<T | null> {
  let body: Uint8Array;
  try {
    body = (await store.get(key)).body;
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
  try {
    const parsed = schema.safeParse(JSON.parse(new TextDecoder().decode(body)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

async function missingOutputs(store: CacheReader, record: StageRecord): Promise<string[]> {
  const missing: string[] = [];
  for (const [name, artifact] of Object.entries(record.outputs)) {
    try {
      await store.head(artifact.key);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      missing.push(name);
    }
  }
  return missing;
}

/** True for the store's not-found error (matched by name: pipelines imports infra types only). */
export function isNotFound(e: unknown): boolean {
  return e instanceof Error && e.name === "NotFoundError";
}
