/**
 * Evaluation: multimodal metrics, mode finding, figures, image metrics (PSNR, SSIM) and the
 * scores of image tasks, map denoising (PSNR, L1, retrieval mAP) and classifiers; loss curves.
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
  type LabelledMaps,
  retrievalMap,
} from "./denoise.ts";
export { accuracy, type ClassifierMetrics, confusionOf } from "./classification.ts";
export { evaluateImageDraws, type ImageEvaluation, type ImageMetrics } from "./image_evaluation.ts";
export { composite, inputsRgb, repeatEach, sampleGrid, toRgb } from "./image_samples.ts";
