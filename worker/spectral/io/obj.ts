/**
 * Wavefront OBJ reader: `v` vertices (extra values ignored), `f` faces with plain, slashed
 * (`v/vt/vn`, `v//vn`) and negative (relative) indices, polygons triangulated as fans. Other
 * statements (vn, vt, o, g, s, usemtl, l, ...) are ignored.
 */
import type { Shape } from "../shape.ts";
import { LineReader } from "./text.ts";

/** Parses OBJ text. */
export function parseObj(file: string, text: string): Shape {
  const r: LineReader = new LineReader(file, text);
  const vertices: number[] = [];
  const triangles: number[] = [];
  let maxIndex = -1;
  let maxLine = 0;
  for (let ln = r.next(); ln; ln = r.next()) {
    const [kind, ...rest] = ln.tokens;
    if (kind === "v") {
      if (rest.length < 3) r.fail(`vertex has ${rest.length} coordinates, expected 3`);
      for (let d = 0; d < 3; d++) vertices.push(r.float(rest[d], "vertex coordinate"));
    } else if (kind === "f") {
      if (rest.length < 3) r.fail(`face has ${rest.length} vertices, expected at least 3`);
      const count = vertices.length / 3;
      const idx = rest.map((tok) => {
        const v = r.int(tok.split("/")[0], "face vertex index");
        if (v === 0) r.fail("face vertex index 0 (OBJ indices start at 1)");
        const resolved = v > 0 ? v - 1 : count + v;
        if (resolved < 0) r.fail(`relative face index ${v} points before the first vertex`);
        if (resolved > maxIndex) {
          maxIndex = resolved;
          maxLine = ln.line;
        }
        return resolved;
      });
      for (let j = 1; j + 1 < idx.length; j++) triangles.push(idx[0], idx[j], idx[j + 1]);
    }
  }
  const count = vertices.length / 3;
  if (count === 0) r.fail("the file has no vertices", Math.max(1, r.line));
  if (maxIndex >= count) {
    r.fail(`face refers to vertex ${maxIndex + 1}, but there are ${count} vertices`, maxLine);
  }
  return { vertices: Float64Array.from(vertices), triangles: Uint32Array.from(triangles) };
}
