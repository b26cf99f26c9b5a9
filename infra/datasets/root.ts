/**
 * Where a dataset lives: its name and prefix in the bucket (`datasets/<name>/`), and the
 * `dataset.root` value of a pipeline — a local folder or `s3://<bucket>/<prefix>` in the
 * service's own bucket.
 *
 * @module
 */

import { InvalidKeyError, validatePrefix } from "../store/mod.ts";
import { DatasetError } from "./errors.ts";

/** Every dataset lives under this prefix of the bucket. */
export const DATASETS_PREFIX = "datasets/";

/** A dataset name: `[A-Za-z0-9._-]`, 1 to 128 characters, not `.` or `..`. */
export const DATASET_NAME = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,128}$/;

/** `datasets/<name>/`; throws {@link DatasetError} for a name outside {@link DATASET_NAME}. */
export function datasetPrefix(name: string): string {
  if (!DATASET_NAME.test(name)) {
    throw new DatasetError(
      `Cannot use dataset name ${JSON.stringify(name)}: use 1 to 128 of A-Z a-z 0-9 . _ - ` +
        "(not . or ..)",
    );
  }
  return `${DATASETS_PREFIX}${name}/`;
}

/** The dataset name of a prefix under {@link DATASETS_PREFIX} (`datasets/shapes/sub/` → `shapes`). */
export function datasetNameOf(prefix: string): string {
  return prefix.slice(DATASETS_PREFIX.length).split("/")[0];
}

/** A `dataset.root` value, resolved. */
export type DatasetRoot =
  | { kind: "local"; path: string }
  | { kind: "bucket"; bucket: string; prefix: string };

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/** True when `root` is an `s3://` URI (a bucket dataset) rather than a local folder. */
export function isBucketRoot(root: string): boolean {
  return SCHEME.exec(root)?.[1].toLowerCase() === "s3";
}

/**
 * Resolves a `dataset.root` value. A local folder is returned as is. `s3://<bucket>/<prefix>`
 * must name the service's `bucket` and a prefix under `datasets/<name>/` that is a valid key
 * prefix (no `..`, `//`, backslash or control character); the prefix comes back ending in `/`.
 * Anything else (another bucket, another scheme, no prefix) throws a {@link DatasetError} that
 * names `field`, the value and what was expected.
 */
export function parseDatasetRoot(
  root: string,
  bucket: string,
  field = "dataset.root",
): DatasetRoot {
  const scheme = SCHEME.exec(root);
  if (scheme === null) return { kind: "local", path: root };
  const shown = JSON.stringify(root);
  if (scheme[1].toLowerCase() !== "s3") {
    throw new DatasetError(
      `Cannot read ${field} ${shown}: only local folders and s3://${bucket}/datasets/<name>/ ` +
        `are datasets, not ${scheme[1]}://`,
    );
  }
  const rest = root.slice(scheme[0].length);
  const slash = rest.indexOf("/");
  const named = slash < 0 ? rest : rest.slice(0, slash);
  if (named !== bucket) {
    throw new DatasetError(
      `Cannot read ${field} ${shown}: it names bucket "${named}", but this service reads only ` +
        `its own bucket "${bucket}"; copy the data to s3://${bucket}/datasets/<name>/`,
    );
  }
  let prefix = slash < 0 ? "" : rest.slice(slash + 1);
  if (prefix !== "" && !prefix.endsWith("/")) prefix += "/";
  if (!prefix.startsWith(DATASETS_PREFIX) || prefix.length <= DATASETS_PREFIX.length) {
    throw new DatasetError(
      `Cannot read ${field} ${shown}: a dataset is a prefix s3://${bucket}/datasets/<name>/, ` +
        `and "${prefix}" is not under datasets/`,
    );
  }
  try {
    validatePrefix(prefix);
  } catch (e) {
    if (e instanceof InvalidKeyError) {
      throw new DatasetError(`Cannot read ${field} ${shown}: ${e.message}`);
    }
    throw e;
  }
  const name = datasetNameOf(prefix);
  if (!DATASET_NAME.test(name)) {
    throw new DatasetError(
      `Cannot read ${field} ${shown}: the dataset name "${name}" is not 1 to 128 of ` +
        "A-Z a-z 0-9 . _ -",
    );
  }
  return { kind: "bucket", bucket, prefix };
}
