/**
 * Where published models live and how they are named: `models/<name>/<version>/<file>`, a
 * model reference `<name>[@<version>|@latest]`, and the error of this layer.
 *
 * ```text
 * models/<name>/<version>/config.json        what rebuilds the model (written first: the claim)
 * models/<name>/<version>/model.safetensors  its weights
 * models/<name>/<version>/probe.safetensors  the linear probe, when the pipeline trained one
 * models/<name>/<version>/metrics.json       the metrics it was published with
 * models/<name>/<version>/version.json       the version record (written last: the commit)
 * ```
 *
 * @module
 */

/** Every published model lives under this prefix. */
export const MODELS_PREFIX = "models/";

/** A model name: 1 to 64 of lowercase letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
export const MODEL_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** A version: a positive integer without leading zeros (versions count up from 1). */
export const MODEL_VERSION = /^[1-9][0-9]{0,8}$/;

/** The word that names the newest committed version. */
export const LATEST = "latest";

/** Most inputs one inference reads. */
export const MAX_INFERENCE_INPUTS = 100_000;

/**
 * Most output values one inference keeps: k × inputs × values per output (2^28 float32 values,
 * 1 GiB). A larger request is refused before it runs.
 */
export const MAX_INFERENCE_VALUES = 2 ** 28;

/** The files a published version may hold, by role. */
export const MODEL_FILES = {
  config: "config.json",
  model: "model.safetensors",
  probe: "probe.safetensors",
  metrics: "metrics.json",
  record: "version.json",
} as const;

/** Why a model cannot be named, found or published. */
export type ModelErrorKind = "invalid" | "not-found";

/** A model cannot be named, found, read or published; the message begins "Cannot …". */
export class ModelError extends Error {
  override name = "ModelError";
  /** Creates the error; `kind` says whether the request was malformed or names nothing. */
  constructor(readonly kind: ModelErrorKind, message: string) {
    super(message);
  }
}

/** Throws {@link ModelError} unless `name` is a {@link MODEL_NAME}. */
export function checkModelName(name: string): string {
  if (!MODEL_NAME.test(name)) {
    throw new ModelError(
      "invalid",
      `Cannot use model name ${JSON.stringify(name)}: use 1 to 64 of a-z 0-9 . _ - ` +
        "starting with a letter or digit",
    );
  }
  return name;
}

/** `models/<name>/`. */
export function modelPrefix(name: string): string {
  return `${MODELS_PREFIX}${checkModelName(name)}/`;
}

/** `models/<name>/<version>/`. */
export function versionPrefix(name: string, version: number): string {
  return `${modelPrefix(name)}${version}/`;
}

/** The key of `file` of a version. */
export function modelFileKey(name: string, version: number, file: string): string {
  return `${versionPrefix(name, version)}${file}`;
}

/** A reference to a published model: a name and a version number or `latest`. */
export interface ModelRef {
  name: string;
  version: number | typeof LATEST;
}

/** Parses a version: digits or `latest`; throws {@link ModelError} naming `field`. */
export function parseVersion(text: string, field = "version"): number | typeof LATEST {
  if (text === LATEST) return LATEST;
  if (!MODEL_VERSION.test(text)) {
    throw new ModelError(
      "invalid",
      `Cannot read ${field} ${JSON.stringify(text)}: give a version number (1, 2, …) or "latest"`,
    );
  }
  return Number(text);
}

/** Parses `<name>`, `<name>@latest` or `<name>@<version>`; throws {@link ModelError}. */
export function parseModelRef(text: string, field = "model"): ModelRef {
  const at = text.lastIndexOf("@");
  const name = at < 0 ? text : text.slice(0, at);
  if (!MODEL_NAME.test(name)) {
    throw new ModelError(
      "invalid",
      `Cannot read ${field} ${JSON.stringify(text)}: expected <name>[@<version>|@latest] with ` +
        "a name of 1 to 64 of a-z 0-9 . _ -",
    );
  }
  return { name, version: at < 0 ? LATEST : parseVersion(text.slice(at + 1), field) };
}

/** `<name>@<version>`. */
export function formatModelRef(ref: ModelRef): string {
  return `${ref.name}@${ref.version}`;
}
