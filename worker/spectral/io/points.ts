/**
 * Plain point lists (.xyz, .pts, .csv): one point per line, x y z first (whitespace or comma
 * separated; further columns ignored). An optional first line may be a header of column names
 * or, as in .pts files, the point count (then checked against the lines that follow).
 */
import type { Shape } from "../shape.ts";
import { checkCount } from "./errors.ts";
import { allNumeric, LineReader } from "./text.ts";

/** Parses a point list. */
export function parsePointList(file: string, text: string): Shape {
  const r: LineReader = new LineReader(file, text, { commas: true });
  const coords: number[] = [];
  let declared: { count: number; line: number } | null = null;
  let first = true;
  for (let ln = r.next(); ln; ln = r.next()) {
    if (first) {
      first = false;
      if (ln.tokens.length === 1 && /^\d+$/.test(ln.tokens[0])) {
        const count = r.int(ln.tokens[0], "point count");
        checkCount(file, { line: ln.line }, "point", count, 6, ln.remaining);
        declared = { count, line: ln.line };
        continue;
      }
      if (!allNumeric(ln.tokens)) continue;
    }
    if (ln.tokens.length < 3) r.fail(`point has ${ln.tokens.length} values, expected at least 3`);
    for (let d = 0; d < 3; d++) coords.push(r.float(ln.tokens[d], "coordinate"));
  }
  const count = coords.length / 3;
  if (count === 0) r.fail("the file has no points", Math.max(1, r.line));
  if (declared && declared.count !== count) {
    r.fail(`the header declares ${declared.count} points but the file has ${count}`, declared.line);
  }
  return { vertices: Float64Array.from(coords), triangles: new Uint32Array(0) };
}
