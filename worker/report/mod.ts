/**
 * Self-contained HTML reports of the experiments and their results.json: the map experiments
 * (denoising, features, linear probes, 3-D reconstructions) and the image experiments (mode
 * shares, sample grids); vega-lite charts rendered to inline SVG.
 * @module
 */
export {
  mapReport,
  type MapReportOptions,
  type MapSamples,
  mapStrip,
  type ModelReport,
  resultRow,
  type Results,
} from "./maps.ts";
export { imageReport, type ImageResults, type RunReport } from "./images.ts";
export { mapPoints, renderRows } from "./reconstruct.ts";
export { dataUri, escape, notesHtml, page, svg } from "./page.ts";
export {
  type InferenceArtifacts,
  inferenceArtifacts,
  type InferenceReportOptions,
} from "./inference.ts";
export { modesJson, predictionsCsv, samplesSafetensors } from "./inference_files.ts";
