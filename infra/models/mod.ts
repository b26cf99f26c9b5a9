/**
 * Published models in the bucket: immutable versions under `models/<name>/<version>/`
 * (`model.safetensors`, `config.json`, the probe, `metrics.json`, the `version.json` record),
 * references `<name>[@<version>|@latest]`, listing, resolving and publishing by conditional
 * creates. Pure store logic, importable by functions and worker; what the files mean is the
 * worker's models layer (`worker/models/published.ts`).
 *
 * @module
 */

export {
  checkModelName,
  formatModelRef,
  LATEST,
  MAX_INFERENCE_INPUTS,
  MAX_INFERENCE_VALUES,
  MODEL_FILES,
  MODEL_NAME,
  MODEL_VERSION,
  ModelError,
  type ModelErrorKind,
  modelFileKey,
  modelPrefix,
  type ModelRef,
  MODELS_PREFIX,
  parseModelRef,
  parseVersion,
  versionPrefix,
} from "./names.ts";
export {
  contentHash,
  listModelNames,
  listVersions,
  type ModelNamePage,
  ModelSource,
  type ModelVersions,
  publishModel,
  type PublishRequest,
  type PublishResult,
  readModelFile,
  readRecord,
  resolveModel,
  sha256Hex,
  VersionRecord,
} from "./registry.ts";
export { inSplit, isModelInput, outputValues } from "./inputs.ts";
