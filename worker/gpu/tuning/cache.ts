/**
 * The tuning cache: one JSON file under the cache folder holding, per adapter + driver, the
 * tuned variant of every family and shape class. A file that cannot be read or parsed is
 * ignored with a warning (and replaced by the next tuning); writes go through a temporary file
 * and a rename, so a crash never leaves half a file.
 * @module
 */
import type { TunedTable } from "./choices.ts";

/** Name of the cache file inside the cache folder. */
export const TUNE_FILE = "kernel-tuning.json";

/** Bumped when candidates or shape classes change, so older entries are not trusted. */
export const TUNE_FORMAT = 1;

/** The tuning of one adapter + driver. */
export interface TuneRecord {
  /** The adapter as {@link adapterKey} describes it. */
  adapter: string;
  /** ISO time of the tuning. */
  tunedAt: string;
  /** Milliseconds the tuning took. */
  ms: number;
  /** False when the time budget ran out before every class was measured. */
  complete: boolean;
  /** Family → shape class → variant. */
  table: TunedTable;
  /**
   * Family → shape class → variant → milliseconds per operation (the measurements; null: the
   * variant failed on the class). A class without a table entry was not finished.
   */
  timings: Readonly<
    Record<string, Readonly<Record<string, Readonly<Record<string, number | null>>>>>
  >;
}

interface TuneFile {
  format: number;
  adapters: Record<string, TuneRecord>;
}

/** What identifies an adapter and its driver (the cache key). */
export interface AdapterIdentity {
  description: string;
  vendor: string;
  architecture: string;
  device: string;
  /** Driver version where the platform reveals it (NVIDIA: /proc/driver/nvidia/version). */
  driver: string;
}

/** The cache key of an adapter: every identifying field, the runtime and the core count. */
export function adapterKey(a: AdapterIdentity): string {
  const cores = navigator.hardwareConcurrency || 0;
  return [a.description, a.vendor, a.architecture, a.device, a.driver, Deno.version.deno, cores]
    .join("|");
}

/** The NVIDIA kernel driver's version line, or "" where there is none. */
export function driverVersion(): string {
  try {
    return Deno.readTextFileSync("/proc/driver/nvidia/version").split("\n")[0].trim();
  } catch {
    return "";
  }
}

function isRecord(v: unknown): v is TuneRecord {
  if (typeof v !== "object" || v === null) return false;
  const r = v as Record<string, unknown>;
  const nested = (x: unknown, depth: number): boolean =>
    typeof x === "object" && x !== null && !Array.isArray(x) &&
    Object.values(x).every((y) => depth === 0 ? typeof y === "string" : nested(y, depth - 1));
  return typeof r.adapter === "string" && typeof r.tunedAt === "string" &&
    typeof r.ms === "number" && typeof r.complete === "boolean" && nested(r.table, 1) &&
    typeof r.timings === "object" && r.timings !== null;
}

/**
 * Reads the cache file in `dir`: the parsed entries, or an empty set (with a warning through
 * `warn` when the file exists but is unreadable, not JSON, or of another format).
 */
export function readTuneFile(
  dir: string,
  warn: (line: string) => void,
): Record<string, TuneRecord> {
  const path = `${dir}/${TUNE_FILE}`;
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) warn(`[gpu] ignoring tuning cache ${path}: ${e}`);
    return {};
  }
  try {
    const parsed = JSON.parse(text) as TuneFile;
    if (parsed?.format !== TUNE_FORMAT || typeof parsed.adapters !== "object") {
      warn(`[gpu] ignoring tuning cache ${path}: not format ${TUNE_FORMAT}`);
      return {};
    }
    const out: Record<string, TuneRecord> = {};
    for (const [key, rec] of Object.entries(parsed.adapters ?? {})) {
      if (isRecord(rec)) out[key] = rec;
      else warn(`[gpu] ignoring a malformed entry of tuning cache ${path}`);
    }
    return out;
  } catch (e) {
    warn(`[gpu] ignoring corrupt tuning cache ${path}: ${(e as Error).message}`);
    return {};
  }
}

/** Adds or replaces `key`'s record in the cache file of `dir` (creating the folder). */
export function writeTuneRecord(
  dir: string,
  key: string,
  record: TuneRecord,
  warn: (line: string) => void,
): void {
  const path = `${dir}/${TUNE_FILE}`;
  try {
    Deno.mkdirSync(dir, { recursive: true });
    const adapters = { ...readTuneFile(dir, () => {}), [key]: record };
    const tmp = `${path}.${Deno.pid}.tmp`;
    Deno.writeTextFileSync(tmp, JSON.stringify({ format: TUNE_FORMAT, adapters }, null, 1));
    Deno.renameSync(tmp, path);
  } catch (e) {
    warn(`[gpu] cannot write tuning cache ${path}: ${(e as Error).message}`);
  }
}
