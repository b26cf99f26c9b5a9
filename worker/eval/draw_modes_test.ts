import { assertAlmostEquals, assertEquals } from "../../testing/assert.ts";
import { drawModes } from "./draw_modes.ts";

Deno.test("draws within the tolerance form one mode, chained links included, largest first", () => {
  // Draws 0, 2, 4 near (0, 0); 1 and 3 near (5, 5); 5 alone at (10, 0).
  const draws = Float32Array.from([0, 0, 5, 5, 0.1, 0, 5, 5.1, 0.2, 0, 10, 0]);
  const m = drawModes(draws, 6, 2, 0.1);
  assertEquals(m.mode, [0, 1, 0, 1, 0, 2]);
  assertEquals(m.sizes, [3, 2, 1]);
  // Mode 0: x = 0, 0.1, 0.2 (mean 0.1); RMS over both values and the three draws.
  assertAlmostEquals(m.spread[0], Math.sqrt((0.01 + 0 + 0.01) / 6), 1e-6);
  assertEquals(m.spread[2], 0);
});

Deno.test("only the kept values count, and a zero tolerance separates any difference", () => {
  const draws = Float32Array.from([0, 100, 0, -100]);
  assertEquals(drawModes(draws, 2, 2, 0.5, [1, 0]).sizes, [2]);
  assertEquals(drawModes(draws, 2, 2, 0).sizes, [1, 1]);
  assertEquals(drawModes(Float32Array.from([3, 3]), 2, 1, 0).sizes, [2]);
});
