/**
 * OFF reader: "OFF" header (also COFF/NOFF/STOFF variants, extra per-vertex values ignored),
 * counts on the next line or glued to the header as in ModelNet ("OFF490 518 0"), `#`
 * comments, CRLF; polygons are triangulated as fans. Counts are checked against the file size
 * before anything is allocated.
 */
import type { Shape } from "../shape.ts";
import { checkCount } from "./errors.ts";
import { LineReader } from "./text.ts";

const HEADER = /^(ST)?C?N?OFF(.*)$/;

/** Parses OFF text. */
export function parseOff(file: string, text: string): Shape {
  const r: LineReader = new LineReader(file, text);
  const head = r.next();
  if (!head) r.fail("the file is empty", 1);
  const match = HEADER.exec(head.tokens[0]);
  if (!match) r.fail(`expected an OFF header, found '${head.tokens[0].slice(0, 20)}'`, head.line);
  let counts = [...(match[2] ? [match[2]] : []), ...head.tokens.slice(1)];
  let countLine = head.line;
  if (counts.length === 0) {
    const next = r.next();
    if (!next) r.fail("missing the vertex and face counts", head.line);
    counts = next.tokens;
    countLine = next.line;
  }
  const nv = r.int(counts[0], "vertex count", countLine);
  const nf = r.int(counts[1], "face count", countLine);
  // Smallest possible lines: "0 0 0" and "3 0 1 2" (the last line may lack its newline).
  checkCount(file, { line: countLine }, "vertex", nv, 5, r.remaining);
  checkCount(file, { line: countLine }, "face", nf, 7, r.remaining - 5 * nv);
  if (nv === 0) r.fail("the file declares no vertices", countLine);
  const vertices = new Float64Array(3 * nv);
  for (let i = 0; i < nv; i++) {
    const ln = r.next();
    if (!ln) r.fail(`expected ${nv} vertices, the file ends after ${i}`);
    if (ln.tokens.length < 3) {
      r.fail(`vertex ${i} has ${ln.tokens.length} coordinates, expected 3`, ln.line);
    }
    for (let d = 0; d < 3; d++) {
      vertices[3 * i + d] = r.float(ln.tokens[d], `vertex ${i} coordinate`, ln.line);
    }
  }
  const triangles: number[] = [];
  for (let f = 0; f < nf; f++) {
    const ln = r.next();
    if (!ln) r.fail(`expected ${nf} faces, the file ends after ${f}`);
    const k = r.int(ln.tokens[0], `face ${f} vertex count`, ln.line);
    if (k < 3) r.fail(`face ${f} has ${k} vertices, expected at least 3`, ln.line);
    if (ln.tokens.length < 1 + k) {
      r.fail(`face ${f} lists ${ln.tokens.length - 1} of its ${k} vertex indices`, ln.line);
    }
    const idx: number[] = [];
    for (let j = 0; j < k; j++) {
      const v = r.int(ln.tokens[1 + j], `face ${f} vertex index`, ln.line);
      if (v < 0 || v >= nv) {
        r.fail(`face ${f} refers to vertex ${v}, but there are ${nv} vertices`, ln.line);
      }
      idx.push(v);
    }
    for (let j = 1; j + 1 < k; j++) triangles.push(idx[0], idx[j], idx[j + 1]);
  }
  return { vertices, triangles: Uint32Array.from(triangles) };
}
