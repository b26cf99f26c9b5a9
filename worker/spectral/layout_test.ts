import { assert, assertEquals } from "../../testing/assert.ts";
import { Rng } from "../lib/mod.ts";
import { shCount, zernikeCount } from "./indexing.ts";
import {
  fromMap,
  mapChannels,
  rasterSize,
  shFoldedLayout,
  toMap,
  zernikeRasterLayout,
} from "./layout.ts";

Deno.test("raster sizes follow the SPECTRAL.md §7.2 table", () => {
  const table: [number, number, number][] = [
    [6, 8, 16],
    [10, 16, 24],
    [12, 16, 32],
    [15, 24, 40],
    [16, 32, 32],
    [19, 40, 40],
    [20, 32, 56],
    [24, 48, 64],
    [28, 64, 72],
  ];
  for (const [n, h, w] of table) {
    assertEquals(rasterSize(zernikeCount(n)), { height: h, width: w }, `N=${n}`);
  }
});

Deno.test("layouts are bijective and round-trip every coefficient", () => {
  const layouts = [
    ...[0, 4, 6, 16, 20].map(zernikeRasterLayout),
    ...[0, 3, 7, 15, 31].map(shFoldedLayout),
  ];
  const rng = new Rng(1);
  for (const layout of layouts) {
    const want = layout.kind === "sh-folded" ? shCount(layout.order) : zernikeCount(layout.order);
    assertEquals(layout.count, want);
    const coef = Float64Array.from({ length: layout.count }, () => rng.normal());
    const map = toMap(coef, layout);
    assertEquals(
      map.mask.reduce((s, v) => s + v, 0),
      layout.count,
      `${layout.kind} ${layout.order} valid cells`,
    );
    assertEquals(Array.from(fromMap(map.values, layout)), Array.from(coef));
    const seen = new Set<number>();
    for (let c = 0; c < layout.count; c++) {
      const cell = layout.cellOf[c];
      assert(!seen.has(cell), "two coefficients in one cell");
      seen.add(cell);
      assertEquals(layout.coefficientOf[cell], c);
    }
    for (let cell = 0; cell < map.mask.length; cell++) {
      assertEquals(map.mask[cell] === 1, layout.coefficientOf[cell] >= 0);
      if (!map.mask[cell]) assertEquals(map.values[cell], 0);
    }
    const ch = mapChannels(map);
    assertEquals(ch.length, 2 * layout.height * layout.width);
  }
});

Deno.test("folded square places (l, m) as documented (L = 3)", () => {
  const layout = shFoldedLayout(3);
  const cellOf = (l: number, m: number) => layout.cellOf[l * l + l + m];
  const rc = (l: number, m: number) => [Math.floor(cellOf(l, m) / 4), cellOf(l, m) % 4];
  assertEquals(rc(0, 0), [0, 0]);
  assertEquals(rc(1, -1), [0, 1]);
  assertEquals(rc(3, -1), [0, 3]);
  assertEquals(rc(3, -3), [2, 3]);
  assertEquals(rc(2, 1), [2, 1]);
  assertEquals(rc(3, 3), [3, 3]);
});
