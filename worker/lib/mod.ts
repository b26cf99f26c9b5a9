/**
 * Leaf helpers every layer of the worker may use; they import nothing from the worker:
 * seeded random numbers and PNG encoding.
 * @module
 */
export { Rng } from "./rng.ts";
export { encodePng, type RgbBytes } from "./png.ts";
