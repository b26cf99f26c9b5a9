/**
 * The layout of the object store that pipeline runs write, in one place: content-addressed
 * artifacts, cache records by cache key, and run records by pipeline. The runner writes these
 * keys and the planner (`cache.ts`) reads them; job folders (`jobs/<id>/`) belong to the queue.
 *
 * ```text
 * artifacts/<sha256>               an artifact's bytes (any stage, any run)
 * cache/<cache key>/record.json    the StageRecord of a cached stage run
 * runs/<pipeline>/last.json        the RunRecord of the pipeline's latest run
 * runs/<pipeline>/<run id>.json    the RunRecord of every run
 * ```
 * @module
 */

/** Store key of an artifact's bytes, addressed by their hex sha256. */
export function artifactKey(hash: string): string {
  return `artifacts/${hash}`;
}

/** Store key of the record of a cached stage run. */
export function recordKey(cacheKey: string): string {
  return `cache/${cacheKey}/record.json`;
}

/** Store key of the record of a pipeline's latest run. */
export function lastRunKey(pipeline: string): string {
  return `runs/${pipeline}/last.json`;
}

/** Store key of the record of run `id` of a pipeline. */
export function runRecordKey(pipeline: string, id: string): string {
  return `runs/${pipeline}/${id}.json`;
}
