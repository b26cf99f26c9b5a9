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
export {
  COLOUR_MODES_KEY,
  type ColourModeResults,
  imageReport,
  type ImageResults,
  type RunReport,
} from "./images.ts";
export { mapPoints, renderRows } from "./reconstruct.ts";
export { claimsHtml, dataUri, escape, notesHtml, page, svg } from "./page.ts";
export {
  aggregateSeeds,
  formatColourModes,
  formatSeedResults,
  seedPage,
  type SeedResults,
  type SeedRun,
} from "./seeds.ts";
export {
  type InferenceArtifacts,
  inferenceArtifacts,
  type InferenceReportOptions,
} from "./inference.ts";
export { modesJson, predictionsCsv, samplesSafetensors } from "./inference_files.ts";
