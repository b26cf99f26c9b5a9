/**
 * Datasets in the bucket: the objects under `datasets/<name>/`, their manifest (every object
 * with size, ETag, class and split, and a hash), explicit `manifest.json` / `manifest.csv`
 * files, diffs between manifests, `s3://` roots, validation (layout and a header sniff of each
 * object) and ETag checks. Pure data-plane logic on the {@link ObjectStore}: no GPU, no parsing
 * of whole meshes (the dataset stage does that), importable by functions and worker.
 *
 * @module
 */

export {
  type DatasetDescription,
  type DatasetOverview,
  datasetOverview,
  describeDataset,
} from "./describe.ts";
export { diffManifests, type ManifestDiff } from "./diff.ts";
export { DatasetError, type DatasetProblem, formatProblems } from "./errors.ts";
export { type EtagCheck, etagKind, EtagVerifier, MULTIPART_PART_SIZES_MIB } from "./etag.ts";
export {
  extensionOf,
  IMAGE_EXTENSIONS,
  isDataPath,
  isSplit,
  kindOf,
  layoutOf,
  MANIFEST_FILES,
  type ManifestFileName,
  MESH_EXTENSIONS,
  type ObjectKind,
  POINT_EXTENSIONS,
  type Split,
  SPLITS,
} from "./layout.ts";
export {
  listDatasetNames,
  listObjects,
  type ListObjectsOptions,
  MAX_DATASET_OBJECTS,
  type NamePage,
} from "./listing.ts";
export { loadDataset, type LoadedDataset, type LoadOptions, readDatasetManifest } from "./load.ts";
export {
  DatasetManifest,
  ManifestEntry,
  manifestFromFile,
  manifestFromListing,
  manifestHash,
  type ManifestSource,
  type ManifestSummary,
  summarize,
  type Tally,
} from "./manifest.ts";
export {
  formatManifestJson,
  type ManifestFile,
  type ManifestFileObject,
  MAX_MANIFEST_BYTES,
  parseManifestFile,
} from "./manifest_file.ts";
export { mapPool } from "./pool.ts";
export {
  DATASET_NAME,
  datasetNameOf,
  datasetPrefix,
  type DatasetRoot,
  DATASETS_PREFIX,
  isBucketRoot,
  parseDatasetRoot,
} from "./root.ts";
export { SNIFF_BYTES, sniffProblem } from "./sniff.ts";
export {
  DATASET_FINGERPRINT_PREFIX,
  datasetRootFingerprint,
  describeDatasetChange,
  fingerprintDataset,
  loadManifestSnapshot,
  manifestSnapshotKey,
  saveManifestSnapshot,
} from "./snapshots.ts";
export { layoutProblems, readHead, sniffProblems, validateDataset } from "./validate.ts";
