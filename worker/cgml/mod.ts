/**
 * cGML (Conditional Generation by Modeling the Latent space): configuration, networks,
 * Algorithm 1 training with checkpoints and Eq. 4 inference.
 * @module
 */
export {
  type AdamConfig,
  type CgmlConfig,
  type CgmlConfigInput,
  type ConvConfig,
  DEFAULT_CONFIG,
  type LatentMode,
  type LrSchedule,
  makeConfig,
  type NetworkConfig,
  PERSISTENT_PRESET,
  validateConfig,
} from "./config.ts";
export { buildNetworks, type CgmlNetworks, type Encoding, usedLatentDim } from "./networks.ts";
export { FusedMlp, type FusedMlpOptions } from "../nn/mod.ts";
export { CgmlModel } from "./model.ts";
export {
  CgmlTrainer,
  type ExtraLoss,
  type FitOptions,
  type LossPoint,
  type LossTerms,
  normalizedWeights,
  type TrainerOptions,
  type TrainingData,
  type TrainProgress,
  weightedL1,
} from "./train.ts";
export { predict, predictNamed, type PredictOptions, type PredictorName } from "./infer.ts";
export { sampleSphere } from "./sphere.ts";
