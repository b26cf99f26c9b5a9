/**
 * Evaluation: multimodal metrics, mode finding and figures.
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
