/**
 * Evaluation: multimodal metrics, mode finding, figures and image metrics (PSNR, SSIM).
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
