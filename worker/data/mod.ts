/**
 * Data sets: multimodal (x, y) rows from toy curves or CSV files; images, colour spaces and the
 * image tasks; corruption of spectral maps; synthetic meshes; training pairs redrawn per epoch;
 * bucket datasets (dataset roots resolved, objects read into the worker's cache, `dataset push`).
 * @module
 */
export {
  defaultNames,
  modeShares,
  type MultimodalData,
  selectRows,
  withModes,
} from "./multimodal.ts";
export {
  type Branch,
  PLUS_MINUS,
  sampleToy,
  THREE_BRANCHES,
  toyGrid,
  type ToyProblem,
  toyTruth,
} from "./toy.ts";
export {
  CsvDataError,
  formatMultimodalCsv,
  parseInputCsv,
  parseMultimodalCsv,
  readMultimodalCsv,
} from "./csv.ts";
export {
  D65_WHITE,
  LAB_AB_OFFSET,
  LAB_AB_SCALE,
  LAB_EPSILON,
  LAB_KAPPA,
  LAB_L_SCALE,
  labToRgb,
  labToUnit,
  rgbToLab,
  SRGB_TO_XYZ,
  unitToLab,
  XYZ_TO_SRGB,
} from "./color.ts";
export {
  decodeImage,
  encodeRgbPng,
  generateColorImages,
  IMAGE_EXTENSIONS,
  ImageReadError,
  JPEG_MAX_MEMORY_MB,
  MAX_IMAGE_FILE_BYTES,
  MAX_IMAGE_PIXELS,
  resizeAndCrop,
  type RgbImage,
} from "./images.ts";
export {
  type ImageFile,
  type ImageFolder,
  isImagePath,
  readImageFiles,
  readImageFolder,
  type ReadImageFolderOptions,
} from "./image_folder.ts";
export { imageAt, imageRows, type ImageSet } from "./image_set.ts";
export { loadMnist, MNIST_SIZE, type MnistOptions } from "./mnist.ts";
export {
  type BoxRegion,
  boxRegion,
  COMPLETION_CHANNELS,
  type CompletionPairs,
  completionPairs,
  type CompletionRecipe,
  drawBoxFlags,
  validateCompletionRecipe,
} from "./completion.ts";
export {
  cachePath,
  DatasetReadError,
  fetchDataset,
  type FetchDatasetOptions,
  type FetchedObject,
  type FetchReport,
  readBucketDataset,
} from "./dataset_reader.ts";
export {
  bucketRecord,
  type DatasetBucket,
  type DatasetRecord,
  type DatasetRecordEntry,
  localRecord,
  resolveDatasetRoot,
  type ResolvedRoot,
  type ResolveRootOptions,
} from "./dataset_root.ts";
export {
  pushFolder,
  type PushOptions,
  type PushProgress,
  type PushReport,
} from "./dataset_push.ts";
export {
  DATASET_USAGE,
  type DatasetCliContext,
  type DatasetCliIo,
  datasetCommand,
  terminalIo,
} from "./dataset_cli.ts";
export { formatBytes, progressDisplay, type TransferState } from "./progress.ts";
export {
  type Corrupted,
  corruptMaps,
  epochRng,
  INPUT_CHANNELS,
  type Recipe,
  testRng,
} from "./corruption.ts";
export { gatherRows, type Pairs, type PairSource } from "./pairs.ts";
export {
  type ImagePairs,
  type ImageTask,
  imageTask,
  type ImageTaskOptions,
  labPlanes,
  taskBoxFlags,
  taskChannels,
  taskPairSource,
  taskTestPairs,
} from "./image_tasks.ts";
export { type ImageSetOptions, loadImageSet } from "./image_dataset.ts";
export {
  buildShape,
  formatOff,
  MeshBuilder,
  SHAPE_CLASSES,
  type ShapeVariation,
  syntheticMeshes,
  type SyntheticMeshOptions,
} from "./shapes.ts";
export {
  BACKGROUND_LIGHTNESS,
  COLOUR_MODE_CLASSES,
  type ColourClass,
  type ColourHue,
  type ColourModeImages,
  colourModeOdds,
  type ColourModeOptions,
  type ColourObjects,
  generateColourModeImages,
  hueAb,
  MIN_CONTRAST,
  OBJECT_LIGHTNESS,
  objectWeights,
} from "./colour_modes.ts";
