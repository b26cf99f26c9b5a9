/**
 * Byte formats of the artifacts the stages exchange (`pipelines/catalog/` names each type and
 * its storage format): packed arrays, JSON, CSV, packed folders.
 * @module
 */
export {
  decodeJson,
  encodeJson,
  f32,
  i32,
  pack,
  type Packed,
  type PackedArray,
  packFolder,
  unpack,
  unpackFolder,
} from "./packed.ts";
export {
  type CorruptedTest,
  decodeCorrupted,
  decodeMapSet,
  decodeRecipe,
  decodeSamples,
  decodeShapeSet,
  encodeCorrupted,
  encodeMapSet,
  encodeRecipe,
  encodeSamples,
  encodeShapeSet,
} from "./maps.ts";
export { decodeFeatures, encodeFeatures, type FeatureTable } from "./features.ts";
export {
  decodeImageSet,
  decodePairs,
  decodeTask,
  encodeImageSet,
  encodePairs,
  encodeTask,
} from "./images.ts";
export { decodeToyData, encodeToyData } from "./toy.ts";
export { packFiles, unpackFiles } from "./files.ts";
