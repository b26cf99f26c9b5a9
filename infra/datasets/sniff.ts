/**
 * The header sniff that `POST /v1/datasets/{name}/manifest` runs on every object: the first
 * {@link SNIFF_BYTES} bytes are checked against the format the extension promises (OFF header
 * and counts, PLY header, OBJ statements, numeric point rows, PNG/JPEG signatures, text tables).
 * It catches the wrong file, an empty or truncated one and binary garbage without parsing whole
 * meshes; the full parse happens in the dataset stage on the worker (functions cannot import
 * worker code). A sniff that cannot decide (a header longer than the bytes read) passes.
 *
 * @module
 */

import { kindOf, type ObjectKind } from "./layout.ts";

/** Bytes read from the start of each object. */
export const SNIFF_BYTES = 16 * 1024;

// Control characters other than tab, line feed, form feed and carriage return.
// deno-lint-ignore no-control-regex
const BINARY = /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INT = /^\d+$/;
const OFF_HEADER = /^(ST)?C?N?OFF(.*)$/;
const OBJ_STATEMENTS = new Set([
  "v",
  "vt",
  "vn",
  "vp",
  "f",
  "l",
  "p",
  "o",
  "g",
  "s",
  "usemtl",
  "mtllib",
  "cstype",
  "deg",
  "curv",
  "surf",
]);

/**
 * What is wrong with an object whose first bytes are `head` (at most {@link SNIFF_BYTES}) and
 * whole size is `size`, for a file at `path` with or without a class; `null` when it looks right.
 */
export function sniffProblem(
  path: string,
  hasClass: boolean,
  head: Uint8Array,
  size: number,
): string | null {
  const kind = kindOf(path, hasClass);
  if (kind === "other") {
    return "not a mesh (.off .obj .ply), point list (.xyz .pts .txt .csv), image (.png .jpg " +
      ".jpeg) or CSV table: the extension is unknown";
  }
  if (size === 0) return "the object is empty";
  if (kind === "image") return imageProblem(path, head);
  const complete = head.length >= size;
  if (path.toLowerCase().endsWith(".ply")) return plyProblem(head, complete);
  const text = new TextDecoder().decode(head);
  if (BINARY.test(text)) return `binary data where a ${describe(kind)} was expected`;
  const lines = dataLines(text, complete);
  const ext = path.slice(path.lastIndexOf(".")).toLowerCase();
  if (ext === ".off") return offProblem(lines, size, complete);
  if (ext === ".obj") return objProblem(lines, complete);
  if (kind === "points") return pointsProblem(lines, complete);
  return lines.length === 0 && complete ? "the table has no rows" : null;
}

function describe(kind: ObjectKind): string {
  return kind === "mesh" ? "text mesh" : kind === "points" ? "point list" : "CSV table";
}

/** Lines with their `#` comments removed, split into tokens; blank lines skipped. */
function dataLines(text: string, complete: boolean): string[][] {
  const raw = text.split("\n");
  if (!complete) raw.pop(); // The last line may be cut by the sniff.
  return raw.map((l) => l.replace(/#.*/, "").trim()).filter((l) => l !== "").map((l) =>
    l.split(/[\s,;]+/).filter((t) => t !== "")
  );
}

function offProblem(lines: string[][], size: number, complete: boolean): string | null {
  if (lines.length === 0) return complete ? "the OFF file has no header" : null;
  const match = OFF_HEADER.exec(lines[0][0]);
  if (!match) return `expected an OFF header, found '${lines[0][0].slice(0, 20)}'`;
  let counts = [...(match[2] ? [match[2]] : []), ...lines[0].slice(1)];
  if (counts.length === 0) {
    if (lines.length < 2) return complete ? "the OFF file lacks its vertex and face counts" : null;
    counts = lines[1];
  }
  if (counts.length < 2 || !INT.test(counts[0]) || !INT.test(counts[1])) {
    return `expected the vertex and face counts after the OFF header, found '${
      counts.join(" ").slice(0, 40)
    }'`;
  }
  const [nv, nf] = [Number(counts[0]), Number(counts[1])];
  if (nv === 0) return "the OFF file declares no vertices";
  // Smallest lines: "0 0 0\n" per vertex and "3 0 1 2" per face (as the full reader checks).
  if (5 * nv + 7 * nf > size) {
    return `the OFF header declares ${nv} vertices and ${nf} faces, more than ${size} bytes hold ` +
      "(a truncated upload?)";
  }
  return null;
}

function objProblem(lines: string[][], complete: boolean): string | null {
  if (lines.length === 0) return complete ? "the OBJ file has no statements" : null;
  const unknown = lines.find((l) => !OBJ_STATEMENTS.has(l[0]));
  if (unknown) return `expected OBJ statements (v, f, …), found '${unknown[0].slice(0, 20)}'`;
  if (complete && !lines.some((l) => l[0] === "v")) return "the OBJ file has no vertices";
  return null;
}

function pointsProblem(lines: string[][], complete: boolean): string | null {
  const numeric = (l: string[]) => l.every((t) => FLOAT.test(t));
  // The first line may be a header of names or, as in .pts files, the point count.
  const rows = lines.length > 0 && (!numeric(lines[0]) || lines[0].length === 1)
    ? lines.slice(1)
    : lines;
  if (rows.length === 0) return complete ? "the point list has no points" : null;
  const bad = rows.findIndex((l) => !numeric(l) || l.length < 3);
  if (bad >= 0) {
    return `expected rows of at least 3 numbers (x y z), found '${
      rows[bad].join(" ").slice(0, 40)
    }'`;
  }
  return null;
}

function plyProblem(head: Uint8Array, complete: boolean): string | null {
  const text = new TextDecoder("latin1").decode(head);
  const end = text.indexOf("end_header");
  const header = (end < 0 ? text : text.slice(0, end)).split(/\r?\n/).map((l) => l.trim());
  if (header[0] !== "ply") {
    return `expected a PLY header ('ply'), found '${header[0].slice(0, 20)}'`;
  }
  const format = header.find((l) => l.startsWith("format "));
  if (format !== undefined) {
    const kind = format.split(/\s+/)[1];
    if (kind === "binary_big_endian") {
      return "big-endian binary PLY is not read (ascii and binary_little_endian are)";
    }
    if (kind !== "ascii" && kind !== "binary_little_endian") {
      return `unknown PLY format '${kind}'`;
    }
  }
  if (end < 0) return complete ? "the PLY header has no end_header" : null;
  if (format === undefined) return "the PLY header has no format line";
  const vertex = header.find((l) => /^element\s+vertex\s/.test(l));
  if (vertex === undefined) return "the PLY header declares no vertex element";
  const count = vertex.split(/\s+/)[2];
  if (!INT.test(count ?? "") || Number(count) === 0) {
    return `the PLY vertex element has count '${count}', expected a positive integer`;
  }
  return null;
}

function imageProblem(path: string, head: Uint8Array): string | null {
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (path.toLowerCase().endsWith(".png")) {
    return png.every((b, i) => head[i] === b) ? null : "not a PNG file (no PNG signature)";
  }
  return head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff
    ? null
    : "not a JPEG file (no JPEG signature)";
}
