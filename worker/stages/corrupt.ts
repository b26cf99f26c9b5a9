/**
 * `maps.corrupt@1`: the corruption recipe that trainers redraw every epoch, and one fixed
 * corruption of the test split (data/corruption.ts).
 * @module
 */
import { mapsCorrupt } from "../../pipelines/mod.ts";
import { corruptMaps, type Recipe, testRng } from "../data/mod.ts";
import { splitRows } from "../spectral/mod.ts";
import { decodeMapSet, encodeCorrupted, encodeRecipe } from "./formats/mod.ts";
import { implement } from "./stage.ts";

/** Writes the recipe and the fixed corruption of the test split. */
export default implement(mapsCorrupt, async (ctx, recipe: Recipe) => {
  const maps = decodeMapSet(await ctx.input("maps"));
  const rows = splitRows(maps, 1);
  const { height, width } = maps.meta;
  const test = corruptMaps(maps.values, maps.valid, height, width, rows, recipe, testRng(recipe));
  return {
    recipe: encodeRecipe(recipe),
    test: encodeCorrupted({ rows, ...test }, height, width),
  };
});
