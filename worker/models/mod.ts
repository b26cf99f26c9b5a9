/**
 * The trainable things and their artifacts: the map denoiser (cGML and the baselines L1, cVAE
 * and Context Encoder on one backbone), the image models on the same backbone, the toy model,
 * and the linear probe. Each trains (`train…`, resuming from a checkpoint), runs on new inputs
 * (`infer`: Eq. 4 draws for cGML) and has an artifact codec: safetensors with a JSON card that
 * rebuilds the model (published as `model.safetensors` + `config.json`, the same two parts).
 * Published models (`published.ts`) are rebuilt from their files alone and run on new inputs
 * (`inference_inputs.ts` reads them, `inference.ts` draws k outputs each and finds their modes).
 * @module
 */
export { fileExists, type Progress, type TrainHooks } from "./hooks.ts";
export { encodeModelFile, loadModelWeights, type ModelCard, readModelCard } from "./artifact.ts";
export { type CgmlParams, cgmlSettings } from "./cgml_settings.ts";
export {
  backboneConfig,
  type BackboneIo,
  type BackboneKind,
  type BackboneParams,
  channelsOf,
  type MapTarget,
} from "./backbone_config.ts";
export {
  type BackboneCard,
  backboneCardOf,
  BackboneModel,
  type BottleneckPool,
  type DrawOptions,
  type ImageInput,
  type MapInput,
  pyramidPool,
} from "./backbone_model.ts";
export { fitPairs, fitTrainer } from "./fit.ts";
export { type BaselineLoopParams, trainBaselineLoop } from "./baseline_loop.ts";
export {
  cleanInputs,
  lossWeights,
  type MapDenoiserParams,
  mapInputOf,
  mapPairSource,
  targetsOf,
  trainMapDenoiser,
} from "./map_denoiser.ts";
export { type ImageModelParams, trainImageModel } from "./image_model.ts";
export {
  type ToyDataOptions,
  type ToyDataset,
  toyDataset,
  toyDataSummary,
  toyInputs,
} from "./toy_data.ts";
export {
  type ToyCard,
  toyCardOf,
  toyConfig,
  ToyModel,
  type ToyModelParams,
  trainToyModel,
} from "./toy_model.ts";
export {
  evaluateToy,
  type PredictorReport,
  type ToyEvaluationOptions,
  type ToyMetrics,
} from "./toy_evaluation.ts";
export {
  applyStats,
  chooseL2,
  columnStats,
  type FitOptions,
  predictLinear,
  standardize,
  stratifiedFolds,
  trainLinear,
} from "./linear_fit.ts";
export {
  fitLinearProbe,
  type LabelledFeatures,
  LinearProbe,
  type ProbeCard,
  type ProbeParams,
  readCard as probeCardOf,
} from "./linear_probe.ts";
export {
  type InferenceDefaults,
  parsePublishedConfig,
  type PublishedConfig,
  publishedFiles,
  type PublishedKind,
  type PublishedMapInput,
  PublishedModel,
  type PublishParts,
  type RowsInput,
} from "./published.ts";
export {
  type InferenceInputs,
  type InferenceSource,
  type InputEnv,
  readInferenceInputs,
} from "./inference_inputs.ts";
export {
  DEFAULT_TOLERANCE,
  type InferenceOptions,
  type InferenceResult,
  publishedMaps,
  runInference,
} from "./inference.ts";
