import { assertEquals, assertThrows } from "../../testing/assert.ts";
import { CsvDataError, formatMultimodalCsv, parseMultimodalCsv } from "./csv.ts";
import { threeModesCsv } from "./testdata/make_three_modes.ts";

Deno.test("parseMultimodalCsv reads any number of x and y columns and remaps modes", () => {
  const d = parseMultimodalCsv("x1,y_a,x2,mode,y_b\n1,2,3,7,4\n\n5,6,7,-2,8\n", "t.csv");
  assertEquals([d.n, d.inDim, d.outDim], [2, 2, 2]);
  assertEquals(Array.from(d.x), [1, 3, 5, 7]);
  assertEquals(Array.from(d.y), [2, 4, 6, 8]);
  assertEquals(Array.from(d.mode!), [1, 0]);
  assertEquals(d.modeNames, ["-2", "7"]);
  assertEquals([d.xNames, d.yNames], [["x1", "x2"], ["y_a", "y_b"]]);
});

Deno.test("parseMultimodalCsv without a mode column has no labels", () => {
  const d = parseMultimodalCsv("x,y\n0.5,-1e-3\n", "t.csv");
  assertEquals(d.mode, null);
  assertEquals(d.modeNames, []);
});

Deno.test("formatMultimodalCsv round-trips through parseMultimodalCsv", () => {
  const d = parseMultimodalCsv("x,y1,y2,mode\n0.25,1.5,-2,0\n-0.125,3,4,1\n", "t.csv");
  assertEquals(parseMultimodalCsv(formatMultimodalCsv(d), "again.csv"), d);
});

Deno.test("bad CSV fails with the file and line", () => {
  const cases: [string, string][] = [
    ["", "t.csv:1: the file is empty"],
    ["x,mode\n1,0\n", "t.csv:1: missing output column"],
    ["y1,y2\n1,2\n", "t.csv:1: missing input column"],
    ["x,y,z\n1,2,3\n", `t.csv:1: unknown column "z"`],
    ["x,y,y\n1,2,3\n", `t.csv:1: duplicate column "y"`],
    ["x,y\n", "t.csv:1: no data rows"],
    ["x,y\n1,2\n3,abc\n", `t.csv:3: column "y" is not a number: "abc"`],
    ["x,y\n1,2\n3,\n", `t.csv:3: column "y" is not a number: ""`],
    ["x,y\n1,2\n\n3\n", "t.csv:4: expected 2 fields as in the header, got 1"],
    ["x,y\n1,2,3\n", "t.csv:2: expected 2 fields as in the header, got 3"],
    ["x,y,mode\n1,2,0.5\n", `t.csv:2: column "mode" is not an integer`],
    ['x,y\n1,"2\n', "t.csv:"],
  ];
  for (const [text, message] of cases) {
    assertThrows(() => parseMultimodalCsv(text, "t.csv"), CsvDataError, message);
  }
});

Deno.test("the shipped three_modes.csv is what its generator writes", async () => {
  const shipped = await Deno.readTextFile(new URL("./testdata/three_modes.csv", import.meta.url));
  assertEquals(shipped, threeModesCsv());
  const d = parseMultimodalCsv(shipped, "three_modes.csv");
  assertEquals([d.n, d.inDim, d.outDim, d.modeNames.length], [8000, 1, 3, 3]);
});
