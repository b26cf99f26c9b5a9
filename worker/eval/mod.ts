/**
 * Evaluation: multimodal metrics, mode finding, figures, image metrics (PSNR, SSIM) and the
 * scores of image tasks (with colour modes), map denoising (PSNR, L1, retrieval mAP; modes of
 * the draws, reconstruction mAP, the data's own ambiguity) and classifiers; loss curves; error
 * bars over seeds and the claim statements of the reports.
 * @module
 */
export {
  evaluateMultimodal,
  type GeneratedSet,
  type MultimodalEvaluation,
  type MultimodalMetricOptions,
  type MultimodalMetrics,
} from "./multimodal.ts";
export { findModes, type FindModesOptions, type FoundModes } from "./modes.ts";
export { type DrawModes, drawModes } from "./draw_modes.ts";
export {
  type FigureOptions,
  type FigurePanel,
  multimodalFigure,
  multimodalFigureSpec,
} from "./figure.ts";
export {
  type ImageShape,
  psnr,
  type PsnrOptions,
  ssim,
  SSIM_K1,
  SSIM_K2,
  type SsimOptions,
} from "./image_metrics.ts";
export { boxMean, type BoxModeOptions, type BoxModeStats, boxModeStats } from "./box_modes.ts";
export type { EpochPoint, LossCurves } from "./loss_curves.ts";
export {
  type CorruptedMaps,
  type DenoiseEvaluation,
  type DenoiseMetrics,
  evaluateDenoising,
  HALF_TURN_MIN_SEPARATION,
  type LabelledMaps,
  MODE_RADIUS,
  restorationMeasures,
  type RestorationMetrics,
  retrievalMap,
} from "./denoise.ts";
export { accuracy, type ClassifierMetrics, confusionOf } from "./classification.ts";
export { evaluateImageDraws, type ImageEvaluation, type ImageMetrics } from "./image_evaluation.ts";
export { composite, inputsRgb, repeatEach, sampleGrid, toRgb } from "./image_samples.ts";
export {
  type ClassModeStats,
  COLOUR_MODE_TOLERANCE,
  colourModeResults,
  colourModeStats,
  type ColourModeStatsOptions,
} from "./colour_modes.ts";
export {
  type DrawLayout,
  modesFound,
  reconstructionMap,
  type TwoModeStats,
  twoModeStats,
} from "./restoration.ts";
export {
  aggregateRuns,
  type Better,
  compareIntervals,
  type Comparison,
  formatInterval,
  type Interval,
  intervalAt,
  isInterval,
  meanStd,
  type NestedIntervals,
  type NestedNumbers,
  type ThresholdVerdict,
  thresholdVerdict,
} from "./aggregate.ts";
export {
  type ClaimStatement,
  colorizationClaims,
  completionClaims,
  imageClaims,
  spectralClaims,
} from "./claims.ts";
export { type NeighbourAmbiguity, neighbourAmbiguity } from "./ambiguity.ts";
