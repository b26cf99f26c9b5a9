/**
 * `maps.corrupt@1`: the corruption recipe that trainers redraw every epoch, and one fixed
 * corruption of the test split (data/corruption.ts). With the masks `odd_m` and `above_degree`
 * the recipe lists the cells they hide in every map (spectral/coefficient_masks.ts).
 * @module
 */
import { mapsCorrupt, type StageParams } from "../../pipelines/mod.ts";
import { corruptMaps, type Recipe, testRng } from "../data/mod.ts";
import { hiddenCells, mapLayout, type MapSetMeta, splitRows } from "../spectral/mod.ts";
import { decodeMapSet, encodeCorrupted, encodeRecipe } from "./formats/mod.ts";
import { implement } from "./stage.ts";

/** The recipe of `p`, with the cells a coefficient mask hides in the maps of `meta`. */
export function corruptionRecipe(
  p: StageParams<typeof mapsCorrupt>,
  meta: Pick<MapSetMeta, "basis" | "order">,
): Recipe {
  if (p.mask === undefined || p.mask === "rectangle") return p;
  const layout = mapLayout(meta.basis, meta.order);
  const rule = p.mask === "odd_m"
    ? { kind: "odd_m" as const }
    : { kind: "above_degree" as const, degree: p.degree ?? 0 };
  return { ...p, hidden: hiddenCells(layout, rule) };
}

/** Writes the recipe and the fixed corruption of the test split. */
export default implement(mapsCorrupt, async (ctx, p) => {
  const maps = decodeMapSet(await ctx.input("maps"));
  const recipe = corruptionRecipe(p, maps.meta);
  const rows = splitRows(maps, 1);
  const { height, width } = maps.meta;
  const test = corruptMaps(maps.values, maps.valid, height, width, rows, recipe, testRng(recipe));
  return {
    recipe: encodeRecipe(recipe),
    test: encodeCorrupted({ rows, mask: recipe.mask, ...test }, height, width),
  };
});
