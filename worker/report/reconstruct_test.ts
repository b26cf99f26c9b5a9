import { assert, assertEquals } from "../../testing/assert.ts";
import { Rng } from "../lib/mod.ts";
import { type MapSetMeta, zernikeRasterLayout } from "../spectral/mod.ts";
import { mapPoints, renderRows } from "./reconstruct.ts";

Deno.test("a standardised Zernike map becomes points in the unit ball, drawn as a PNG", () => {
  const layout = zernikeRasterLayout(4);
  const cells = layout.height * layout.width;
  const meta = { basis: "zernike", order: 4 } as MapSetMeta;
  const set = {
    meta,
    mean: new Rng(1).uniformArray(cells, -0.1, 0.1),
    std: new Float32Array(cells).fill(0.05),
  };
  const points = mapPoints(set, new Rng(2).uniformArray(cells, -1, 1));
  assert(points.length > 30 && points.length % 3 === 0);
  for (let i = 0; i < points.length; i += 3) {
    assert(Math.hypot(points[i], points[i + 1], points[i + 2]) <= 1 + 1e-9);
  }
  const png = renderRows([points, points], 40);
  assertEquals([...png.subarray(1, 4)], [80, 78, 71]);
});
