/**
 * Reading and publishing models under `models/<name>/<version>/` (layout in `names.ts`).
 *
 * A version is immutable and committed by its record: publishing claims the next number by a
 * conditional create of its `config.json` (`If-None-Match: *`; a lost race moves on to the next
 * number), writes the other files, and commits with a conditional create of `version.json`.
 * Readers see only committed versions; a publisher that died after its claim leaves a folder
 * without a record, whose number is skipped. `latest` is the highest committed number.
 * Publishing the same files again (same paths and bytes) publishes nothing and returns the
 * version that holds them, so a pipeline rerun from the cache does not mint a new version.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { z } from "zod";
import { NotFoundError, type ObjectStore, PreconditionFailedError } from "../store/mod.ts";
import {
  checkModelName,
  LATEST,
  MODEL_FILES,
  MODEL_NAME,
  MODEL_VERSION,
  ModelError,
  modelFileKey,
  modelPrefix,
  type ModelRef,
  MODELS_PREFIX,
} from "./names.ts";

/** Where a version came from: the pipeline and run (and job) that published it. */
export const ModelSource = z.object({
  pipeline: z.string(),
  run: z.string(),
  job: z.string().optional(),
  stage: z.string().optional(),
});

/** Where a version came from. */
export type ModelSource = z.output<typeof ModelSource>;

/** The record that commits a version (`version.json`). */
export const VersionRecord = z.object({
  format: z.literal(1),
  name: z.string(),
  version: z.number().int().positive(),
  created: z.string(),
  /** sha256 over the files' paths and sha256s (the record aside): equal files, equal hash. */
  content: z.string(),
  /** What the model is: `map`, `toy` or `image`. */
  kind: z.string(),
  /** cGML or the baseline (`cgml`, `l1`, `cvae`, `ce`). */
  method: z.string(),
  files: z.array(z.object({ path: z.string(), size: z.number(), sha256: z.string() })),
  source: ModelSource,
});

/** The record that commits a version. */
export type VersionRecord = z.output<typeof VersionRecord>;

/** A model's committed versions and the highest number any folder uses (committed or not). */
export interface ModelVersions {
  name: string;
  /** Committed versions, oldest first. */
  versions: VersionRecord[];
  /** The highest version number under the prefix, including claimed but uncommitted ones. */
  highest: number;
}

/** Most claims tried before publishing gives up (each lost claim is another publisher's). */
const MAX_CLAIMS = 64;

/** Hex sha256 of bytes. */
export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Every committed version of `name` (none: an empty list). */
export async function listVersions(store: ObjectStore, name: string): Promise<ModelVersions> {
  const prefix = modelPrefix(name);
  const numbers = new Set<number>();
  const committed: number[] = [];
  let startAfter: string | undefined;
  do {
    const page = await store.list(prefix, { startAfter });
    for (const item of page.items) {
      const [folder, file] = item.key.slice(prefix.length).split("/");
      if (!MODEL_VERSION.test(folder)) continue;
      numbers.add(Number(folder));
      if (file === MODEL_FILES.record) committed.push(Number(folder));
    }
    startAfter = page.next;
  } while (startAfter !== undefined);
  const versions: VersionRecord[] = [];
  for (const v of committed.sort((a, b) => a - b)) {
    const record = await readRecord(store, name, v);
    if (record !== null) versions.push(record);
  }
  return { name, versions, highest: Math.max(0, ...numbers) };
}

/** The committed record of version `version` of `name`, or `null`. */
export async function readRecord(
  store: ObjectStore,
  name: string,
  version: number,
): Promise<VersionRecord | null> {
  let body: Uint8Array;
  try {
    body = (await store.get(modelFileKey(name, version, MODEL_FILES.record))).body;
  } catch (e) {
    if (e instanceof NotFoundError) return null;
    throw e;
  }
  try {
    const parsed = VersionRecord.safeParse(JSON.parse(new TextDecoder().decode(body)));
    return parsed.success && parsed.data.name === name && parsed.data.version === version
      ? parsed.data
      : null;
  } catch {
    return null;
  }
}

/**
 * The committed version `ref` names (`latest`: the newest); throws a `not-found`
 * {@link ModelError} naming the model and the versions there are.
 */
export async function resolveModel(store: ObjectStore, ref: ModelRef): Promise<VersionRecord> {
  checkModelName(ref.name);
  if (ref.version !== LATEST) {
    const record = await readRecord(store, ref.name, ref.version);
    if (record !== null) return record;
  }
  const { versions } = await listVersions(store, ref.name);
  if (versions.length === 0) {
    throw new ModelError(
      "not-found",
      `Cannot find model "${ref.name}": nothing is published under ${modelPrefix(ref.name)}`,
    );
  }
  if (ref.version === LATEST) return versions[versions.length - 1];
  throw new ModelError(
    "not-found",
    `Cannot find version ${ref.version} of model "${ref.name}": its versions are ${
      versions.map((v) => v.version).join(", ")
    }`,
  );
}

/** The bytes of `file` of a committed version; throws a `not-found` {@link ModelError}. */
export async function readModelFile(
  store: ObjectStore,
  record: Pick<VersionRecord, "name" | "version" | "files">,
  file: string,
): Promise<Uint8Array> {
  if (!record.files.some((f) => f.path === file)) {
    throw new ModelError(
      "not-found",
      `Cannot read ${file} of model ${record.name}@${record.version}: its files are ${
        record.files.map((f) => f.path).join(", ")
      }`,
    );
  }
  return (await store.get(modelFileKey(record.name, record.version, file))).body;
}

/** What {@link publishModel} writes. */
export interface PublishRequest {
  name: string;
  /** Files by name (`config.json` and `model.safetensors` required; see `MODEL_FILES`). */
  files: ReadonlyMap<string, Uint8Array>;
  kind: string;
  method: string;
  source: ModelSource;
  /** The clock (tests). */
  now?: () => Date;
}

/** What {@link publishModel} did: the version holding the files, and whether it is new. */
export interface PublishResult {
  record: VersionRecord;
  created: boolean;
}

/** sha256 over the sorted (path, sha256) of `files`. */
export function contentHash(files: readonly { path: string; sha256: string }[]): string {
  const sorted = [...files].sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  return sha256Hex(JSON.stringify(sorted.map((f) => [f.path, f.sha256])));
}

/** Publishes `request.files` as the next version of the model (see the module doc). */
export async function publishModel(
  store: ObjectStore,
  request: PublishRequest,
): Promise<PublishResult> {
  const name = checkModelName(request.name);
  const allowed = new Set<string>(Object.values(MODEL_FILES));
  for (const path of request.files.keys()) {
    if (!allowed.has(path) || path === MODEL_FILES.record) {
      throw new ModelError("invalid", `Cannot publish file "${path}": not a model file`);
    }
  }
  for (const path of [MODEL_FILES.config, MODEL_FILES.model]) {
    if (!request.files.has(path)) {
      throw new ModelError("invalid", `Cannot publish model "${name}": ${path} is missing`);
    }
  }
  const files = [...request.files].map(([path, bytes]) => ({
    path,
    size: bytes.length,
    sha256: sha256Hex(bytes),
  })).sort((a, b) => a.path < b.path ? -1 : 1);
  const content = contentHash(files);
  const existing = await listVersions(store, name);
  const same = existing.versions.find((v) => v.content === content);
  if (same !== undefined) return { record: same, created: false };
  let version = existing.highest + 1;
  for (let tries = 0;; tries++, version++) {
    if (tries === MAX_CLAIMS) {
      throw new Error(`Cannot publish model "${name}": ${MAX_CLAIMS} version numbers were taken`);
    }
    try {
      await store.put(
        modelFileKey(name, version, MODEL_FILES.config),
        request.files.get(MODEL_FILES.config)!,
        { ifNoneMatch: "*", contentType: "application/json" },
      );
      break;
    } catch (e) {
      if (!(e instanceof PreconditionFailedError)) throw e;
    }
  }
  for (const [path, bytes] of request.files) {
    if (path !== MODEL_FILES.config) await store.put(modelFileKey(name, version, path), bytes);
  }
  const record: VersionRecord = {
    format: 1,
    name,
    version,
    created: (request.now?.() ?? new Date()).toISOString(),
    content,
    kind: request.kind,
    method: request.method,
    files,
    source: request.source,
  };
  await store.put(
    modelFileKey(name, version, MODEL_FILES.record),
    JSON.stringify(record, null, 2),
    { ifNoneMatch: "*", contentType: "application/json" },
  );
  return { record, created: true };
}

/** One page of model names. */
export interface ModelNamePage {
  names: string[];
  /** Pass as `after` for the next page; absent on the last. */
  next?: string;
}

/**
 * Model names in key order after `after`: one `list` call of one key per name (the listing
 * jumps over each model's files).
 */
export async function listModelNames(
  store: ObjectStore,
  options: { after?: string; limit?: number } = {},
): Promise<ModelNamePage> {
  const limit = options.limit ?? 100;
  const names: string[] = [];
  // "0" follows "/" in byte order: every key of models/<name>/ sorts before models/<name>0.
  let startAfter = options.after === undefined ? undefined : `${MODELS_PREFIX}${options.after}0`;
  for (;;) {
    const page = await store.list(MODELS_PREFIX, { startAfter, limit: 1 });
    const key = page.items[0]?.key;
    if (key === undefined) return { names };
    const rest = key.slice(MODELS_PREFIX.length);
    const slash = rest.indexOf("/");
    if (slash < 0) {
      startAfter = key;
      continue;
    }
    const name = rest.slice(0, slash);
    startAfter = `${MODELS_PREFIX}${name}0`;
    if (!MODEL_NAME.test(name)) continue;
    if (names.length === limit) return { names, next: names[names.length - 1] };
    names.push(name);
  }
}
