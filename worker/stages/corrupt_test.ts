import { assertEquals, assertThrows } from "../../testing/assert.ts";
import { findStageType, type mapsCorrupt, type StageParams } from "../../pipelines/mod.ts";
import { coefficientCellMask, mapLayout } from "../spectral/mod.ts";
import { corruptionRecipe } from "./corrupt.ts";

function params(given: Record<string, unknown>): StageParams<typeof mapsCorrupt> {
  const type = findStageType("maps.corrupt@1");
  if ("error" in type) throw new Error(type.error);
  return type.params.parse(given) as StageParams<typeof mapsCorrupt>;
}

Deno.test("a rectangle recipe is the params as given (the artifact is as before mask kinds)", () => {
  const meta = { basis: "zernike" as const, order: 6 };
  const p = params({ mask: "rectangle", sigma: 0.25 });
  assertEquals(JSON.stringify(corruptionRecipe(p, meta)), JSON.stringify(params({ sigma: 0.25 })));
});

Deno.test("coefficient masks list the cells they hide; one that hides nothing is refused", () => {
  const meta = { basis: "sh" as const, order: 6 };
  const odd = corruptionRecipe(params({ mask: "odd_m", noise_fraction: 0 }), meta);
  const expected = coefficientCellMask(mapLayout("sh", 6), { kind: "odd_m" });
  assertEquals(odd.hidden, [...expected.keys()].filter((c) => expected[c] === 1));
  assertEquals(odd.mask, "odd_m");
  const high = corruptionRecipe(params({ mask: "above_degree", degree: 4 }), meta);
  assertEquals(high.hidden!.length, 13 + 11);
  assertThrows(
    () => corruptionRecipe(params({ mask: "above_degree", degree: 6 }), meta),
    RangeError,
    "Cannot use mask above_degree with degree 6",
  );
});
