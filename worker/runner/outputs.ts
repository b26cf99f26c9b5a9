/**
 * What a run writes to the store (the layout is `pipelines/store_keys.ts`): every output of a
 * stage content-addressed, the stage's cache record, and the run's records.
 * @module
 */
import {
  artifactKey,
  type ArtifactRecord,
  cacheKey,
  type HashLookup,
  lastRunKey,
  type PlannedStage,
  recordKey,
  type RunRecord,
  runRecordKey,
  type StageRecord,
  stageRecord,
} from "../../pipelines/mod.ts";
import type { ObjectStore } from "../../infra/mod.ts";
import type { StageOutputs } from "../stages/mod.ts";

/** Hex sha256 of bytes. */
export async function sha256Bytes(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Stores every declared output of `stage` (an error names one it did not produce). */
export async function storeOutputs(
  store: ObjectStore,
  stage: PlannedStage,
  produced: StageOutputs,
): Promise<Record<string, ArtifactRecord>> {
  const stored: Record<string, ArtifactRecord> = {};
  for (const output of Object.keys(stage.type.outputs)) {
    const bytes = produced[output];
    if (bytes === undefined) {
      throw new Error(`Cannot finish stage "${stage.id}": it produced no "${output}"`);
    }
    const hash = await sha256Bytes(bytes);
    const key = artifactKey(hash);
    await store.put(key, bytes);
    stored[output] = { hash, key, size: bytes.length };
  }
  return stored;
}

/** The record of a stage that ran; stored as its cache record when the stage caches. */
export async function recordStage(
  store: ObjectStore,
  stage: PlannedStage,
  run: {
    id: string;
    hashOf: HashLookup;
    external: Readonly<Record<string, string>>;
    outputs: Record<string, ArtifactRecord>;
  },
): Promise<StageRecord> {
  const key = (await cacheKey(stage, run.hashOf, run.external))!;
  const rec = stageRecord(stage, {
    key,
    hashOf: run.hashOf,
    external: run.external,
    outputs: run.outputs,
    run: run.id,
    created: new Date(),
  });
  if (stage.cache) await store.put(recordKey(key), JSON.stringify(rec));
  return rec;
}

/** Stores the record of a finished run as the pipeline's latest and under its id. */
export async function recordRun(store: ObjectStore, record: RunRecord): Promise<void> {
  await store.put(lastRunKey(record.pipeline), JSON.stringify(record));
  await store.put(runRecordKey(record.pipeline, record.id), JSON.stringify(record));
}
