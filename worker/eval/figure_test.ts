import { assert, assertEquals } from "../../testing/assert.ts";
import { PLUS_MINUS, toyGrid, toyTruth } from "../data/toy.ts";
import { multimodalFigure, multimodalFigureSpec } from "./figure.ts";
import { evaluateMultimodal } from "./multimodal.ts";

function panel(title: string, value: number) {
  const inputs = toyGrid(PLUS_MINUS, 20);
  const generated = { inputs, draws: 2, outputs: new Float32Array(20 * 2 * 3).fill(value) };
  const { assignment } = evaluateMultimodal(toyTruth(PLUS_MINUS, inputs), generated);
  return { title, generated, assignment };
}

Deno.test("multimodalFigure renders one row per predictor as SVG", async () => {
  const truth = toyTruth(PLUS_MINUS, toyGrid(PLUS_MINUS, 20));
  const panels = [panel("cGML", 0.1), panel("L1", 0)];
  const spec = multimodalFigureSpec(truth, panels) as { facet: { row: { sort: string[] } } };
  assertEquals(spec.facet.row.sort, ["ground truth", "cGML", "L1"]);
  const svg = await multimodalFigure(truth, panels, { title: "toy" });
  assert(svg.startsWith("<svg"), "not an SVG document");
  for (const text of ["ground truth", "cGML", "L1", "phantom", "y3"]) {
    assert(svg.includes(text), `SVG lacks "${text}"`);
  }
});
