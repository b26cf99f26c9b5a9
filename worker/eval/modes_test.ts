import { assert, assertEquals } from "../../testing/assert.ts";
import { parseMultimodalCsv } from "../data/csv.ts";
import { Rng } from "../lib/mod.ts";
import { PLUS_MINUS, sampleToy } from "../data/toy.ts";
import { findModes } from "./modes.ts";

Deno.test("findModes finds the connected branches of three_modes.csv (A and B touch)", async () => {
  const text = await Deno.readTextFile(
    new URL("../data/testdata/three_modes.csv", import.meta.url),
  );
  const data = parseMultimodalCsv(text, "three_modes.csv");
  const found = findModes({ ...data, mode: null, modeNames: [] });
  assertEquals(found.count, 2);
  const pairs = new Set<string>();
  for (let i = 0; i < data.n; i++) pairs.add(`${data.mode![i]}:${found.mode[i]}`);
  assertEquals([...pairs].sort(), ["0:0", "1:0", "2:1"]);
});

Deno.test("findModes joins branches that touch (±4(x, x², x³) meet at x = 0)", () => {
  const data = sampleToy(PLUS_MINUS, 2000, new Rng(5));
  assertEquals(findModes(data).count, 1);
});

Deno.test("findModes folds small outlier groups into the nearest mode", () => {
  const rng = new Rng(9);
  const n = 400;
  const x = new Float32Array(n + 1);
  const y = new Float32Array(n + 1);
  for (let i = 0; i < n; i++) {
    x[i] = rng.uniform(-1, 1);
    y[i] = (i % 2 ? 3 : -3) + 0.01 * rng.normal();
  }
  x[n] = 0;
  y[n] = 0.5;
  const found = findModes({
    n: n + 1,
    inDim: 1,
    outDim: 1,
    x,
    y,
    mode: null,
    modeNames: [],
    xNames: ["x"],
    yNames: ["y"],
  });
  assertEquals(found.count, 2);
  assert(found.mode[n] === found.mode[1], "the outlier should join the nearer branch (y = 3)");
});
