/**
 * `spectral.maps@1`: Zernike or SH coefficients of every cloud as 2-D maps, standardised per
 * cell on the train split, with the rotation invariants (`buildMapSet` in spectral/map_set.ts).
 * @module
 */
import { spectralMaps } from "../../pipelines/mod.ts";
import { buildMapSet } from "../spectral/mod.ts";
import { decodeShapeSet, encodeMapSet } from "./formats/mod.ts";
import { implement } from "./stage.ts";

/** Computes the maps. */
export default implement(spectralMaps, async (ctx, p) => {
  const shapes = decodeShapeSet(await ctx.input("shapes"));
  const maps = await buildMapSet(
    await ctx.gpu(),
    shapes,
    { basis: p.basis, order: p.order, clip: p.clip },
    (done, total) => ctx.progress({ unit: "shapes", done, total }),
  );
  return { maps: encodeMapSet(maps) };
});
