/**
 * `toy.data@1`: the toy data of the paper's Sec. 4 (`toyDataset`): the built-in ± curves or a
 * CSV's rows.
 * @module
 */
import { toyData } from "../../pipelines/mod.ts";
import { toyDataset } from "../models/mod.ts";
import { encodeToyData } from "./formats/mod.ts";
import { implement } from "./stage.ts";

/** Writes the data artifact. */
export default implement(toyData, async (_ctx, p) => {
  return { data: encodeToyData(await toyDataset(p)) };
});
