/**
 * Spectral geometry: mesh and point-cloud readers, sampling and normalisation, 3D Zernike
 * moments and spherical harmonics (float64 CPU reference and batched WGSL f32 path),
 * rotation invariants, 2-D map layouts, inverse transforms, metrics and rendering.
 * Conventions are documented in worker/spectral/README.md and ../shared/notes/SPECTRAL.md.
 * @module
 */
export { isPointList, type Shape, triangleCount, vertexCount } from "./shape.ts";
export { type FilePosition, MAX_ELEMENTS, ShapeFileError } from "./io/errors.ts";
export { MAX_FILE_BYTES, parseShape, readShapeFile, SHAPE_EXTENSIONS } from "./io/read.ts";
export { parseOff } from "./io/off.ts";
export { parseObj } from "./io/obj.ts";
export { parsePly } from "./io/ply.ts";
export { parsePointList } from "./io/points.ts";
export { formatPly } from "./io/write_ply.ts";
export { resamplePoints, sampleSurface, shapePoints, triangleAreas } from "./sample.ts";
export {
  applyNormalization,
  type Normalization,
  NORMALIZED_RADIUS,
  pointNormalization,
  shapeNormalization,
  solidNormalization,
} from "./normalize.ts";
export {
  MAX_ORDER,
  radialCount,
  radialIndex,
  radialPairs,
  shCount,
  type ShIndex,
  shIndex,
  shIndices,
  zernikeCount,
  type ZernikeIndex,
  zernikeIndex,
  zernikeIndices,
} from "./indexing.ts";
export { evalRadial, radial, radialTable } from "./radial.ts";
export { direction, evalLegendre, evalShAt, realSh, realShValue } from "./sh.ts";
export { zernikeBasis, zernikeDensity, zernikeMoments } from "./zernike.ts";
export {
  type DhGrid,
  dhGrid,
  gridDirections,
  oversampledBandwidth,
  projectionTable,
  shForward,
  shInverse,
} from "./dh.ts";
export { defaultCapAngle, extentFromMesh, extentFromPoints } from "./extent.ts";
export { shInvariants, zernikeInvariants } from "./invariants.ts";
export {
  type CoefficientMap,
  fromMap,
  mapChannels,
  type MapLayout,
  rasterSize,
  shFoldedLayout,
  toMap,
  zernikeRasterLayout,
} from "./layout.ts";
export {
  ballVoxels,
  emptyGrid,
  occupiedIndices,
  solidMoments,
  voxelCenters,
  type VoxelGrid,
  voxelIou,
  voxelizeFunction,
  voxelizeMesh,
  voxelizePoints,
} from "./voxel.ts";
export {
  boundaryVoxels,
  extentMesh,
  extentPoints,
  isoVoxels,
  MIN_EXTENT,
  shSurfacePoints,
  spectralError,
  surfaceDirections,
  topVoxels,
} from "./reconstruct.ts";
export { chamferDistance } from "./metrics.ts";
export {
  type LabelledFile,
  labelledShapeFiles,
  listModelNet,
  type MeshFile,
  type MeshFiles,
  sampleShapeSet,
  type ShapeSet,
  type ShapeSetMeta,
  type ShapeSetOptions,
  SPLITS,
} from "./shape_set.ts";
export {
  buildMapSet,
  mapLayout,
  type MapSet,
  type MapSetMeta,
  type MapSetOptions,
  type MapStats,
  splitRows,
} from "./map_set.ts";
export {
  blankImage,
  drawPoints,
  type Image,
  renderComparison,
  renderHeatmap,
  type View,
} from "./render.ts";
export { cubeMesh, ellipsoidMesh, randomShape, spherePoints, torusMesh } from "./synthetic.ts";
export {
  type BatchOptions,
  shEvaluateBatch,
  shFromGridsBatch,
  shFromPointsBatch,
  type ShPointOptions,
  zernikeDensityBatch,
  zernikeMomentsBatch,
} from "./gpu/batch.ts";
export { uploadPoints, type WeightedPoints } from "./gpu/points.ts";
export {
  extentGpu,
  type PointBatch,
  shEvaluateGpu,
  shForwardGpu,
  uploadProjection,
  zernikeDensityGpu,
  zernikeMomentsGpu,
} from "./gpu/transforms.ts";
export {
  analyzeShapes,
  type Basis,
  computeCoefficients,
  finishShapes,
  type PreparedShape,
  prepareShape,
  type SpectralMetrics,
  type SpectralOptions,
  type SpectralResult,
} from "./pipeline.ts";
export {
  coefficientRecords,
  invariantRecords,
  mapRecord,
  OUTPUT_FILES,
  writeResult,
} from "./outputs.ts";
export {
  coefficientCellMask,
  type CoefficientRule,
  halfTurnSigns,
  halfTurnStandardised,
  hiddenCells,
} from "./coefficient_masks.ts";
