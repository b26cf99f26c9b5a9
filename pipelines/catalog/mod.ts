/**
 * The catalog of stage types: every `uses: name@version` a pipeline may name, with typed
 * params (zod, with defaults), typed inputs and outputs (artifact types). No compute lives here;
 * `worker/stages/<name>.ts` implements each entry. The artifact types are in `artifacts.ts`, the
 * stage type contract in `stage_type.ts`, shared param schemas in `common_params.ts`, and the
 * stage types by family in `maps.ts`, `toy.ts`, `images.ts` and `models.ts`.
 *
 * @module
 */

import { closest } from "../suggest.ts";
import {
  baselineTrain,
  cgmlTrain,
  classifierLinear,
  classifierLinearProbe,
  evalDenoise,
  featuresExtract,
  mapsCorrupt,
  modelnet,
  reportHtml,
  spectralMaps,
  syntheticShapes,
} from "./maps.ts";
import {
  imagesData,
  imagesEvaluate,
  imagesTask,
  imagesTrain,
  mnistData,
  reportImages,
} from "./images.ts";
import { modelFeatures, modelInfer, modelLoad, modelPublish } from "./models.ts";
import { type StageType, stageTypeId } from "./stage_type.ts";
import { toyData, toyEvaluate, toyTrain } from "./toy.ts";

export {
  acceptedTypes,
  ARTIFACT_TYPES,
  type ArtifactInput,
  type ArtifactType,
  describeTypes,
  type InputSpec,
  type TableInput,
} from "./artifacts.ts";
export { defineStage, type StageParams, type StageType, stageTypeId } from "./stage_type.ts";
export {
  baselineTrain,
  cgmlTrain,
  classifierLinear,
  classifierLinearProbe,
  evalDenoise,
  featuresExtract,
  mapsCorrupt,
  modelnet,
  reportHtml,
  spectralMaps,
  syntheticShapes,
} from "./maps.ts";
export { toyData, toyEvaluate, toyTrain } from "./toy.ts";
export {
  imagesData,
  imagesEvaluate,
  imagesTask,
  imagesTrain,
  mnistData,
  reportImages,
} from "./images.ts";
export {
  MODEL_NAME_PATTERN,
  MODEL_REF_PATTERN,
  modelFeatures,
  modelInfer,
  modelLoad,
  modelPublish,
} from "./models.ts";

/** Every stage type, by `name@version`. */
export const CATALOG: ReadonlyMap<string, StageType> = new Map(
  ([
    syntheticShapes,
    modelnet,
    spectralMaps,
    mapsCorrupt,
    cgmlTrain,
    baselineTrain,
    evalDenoise,
    featuresExtract,
    classifierLinear,
    classifierLinearProbe,
    reportHtml,
    toyData,
    toyTrain,
    toyEvaluate,
    mnistData,
    imagesData,
    imagesTask,
    imagesTrain,
    imagesEvaluate,
    reportImages,
    modelPublish,
    modelLoad,
    modelInfer,
    modelFeatures,
  ] as StageType[]).map((t) => [stageTypeId(t), t]),
);

/** The stage type for `name@version`, or the reason there is none (with a suggestion). */
export function findStageType(uses: string): StageType | { error: string } {
  const found = CATALOG.get(uses);
  if (found !== undefined) return found;
  const at = uses.lastIndexOf("@");
  const name = at < 0 ? uses : uses.slice(0, at);
  const versions = [...CATALOG.values()].filter((t) => t.name === name).map((t) => t.version);
  if (at < 0 && versions.length > 0) {
    return {
      error: `Cannot use "${uses}": name a version, e.g. "${name}@${Math.max(...versions)}"`,
    };
  }
  if (versions.length > 0) {
    return {
      error: `Cannot find stage type "${uses}": versions of "${name}" are ${versions.join(", ")}`,
    };
  }
  const names = [...new Set([...CATALOG.values()].map((t) => t.name))];
  const near = closest(name, names);
  const hint = near === undefined
    ? ""
    : ` (did you mean "${[...CATALOG.keys()].find((k) => k.startsWith(`${near}@`))}"?)`;
  return { error: `Cannot find stage type "${uses}"${hint}` };
}
