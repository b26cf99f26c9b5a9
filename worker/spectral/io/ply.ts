/**
 * PLY reader, ascii and binary little-endian: a `vertex` element with x, y, z (any numeric
 * type; other properties ignored), an optional `face` element with a `vertex_indices` (or
 * `vertex_index`) list, and any other elements skipped. Polygons are triangulated as fans.
 * Element counts are checked against the bytes that follow the header before anything is
 * allocated; binary reads are bounds-checked and errors name the byte offset.
 */
import type { Shape } from "../shape.ts";
import { checkCount, ShapeFileError } from "./errors.ts";
import { LineReader } from "./text.ts";

type ScalarType = "i8" | "u8" | "i16" | "u16" | "i32" | "u32" | "f32" | "f64";

interface Property {
  name: string;
  type: ScalarType;
  /** Type of the list length, for list properties. */
  countType?: ScalarType;
}

interface Element {
  name: string;
  count: number;
  properties: Property[];
  line: number;
}

const TYPES: Record<string, ScalarType> = {
  char: "i8",
  int8: "i8",
  uchar: "u8",
  uint8: "u8",
  short: "i16",
  int16: "i16",
  ushort: "u16",
  uint16: "u16",
  int: "i32",
  int32: "i32",
  uint: "u32",
  uint32: "u32",
  float: "f32",
  float32: "f32",
  double: "f64",
  float64: "f64",
};
const SIZE: Record<ScalarType, number> = {
  i8: 1,
  u8: 1,
  i16: 2,
  u16: 2,
  i32: 4,
  u32: 4,
  f32: 4,
  f64: 8,
};
const MAX_HEADER = 1 << 16;

/** Parses a PLY file from its bytes. */
export function parsePly(file: string, bytes: Uint8Array): Shape {
  const { elements, format, bodyStart, headerLines } = parseHeader(file, bytes);
  const vertex = elements.find((e) => e.name === "vertex");
  if (!vertex) throw new ShapeFileError(file, { line: 1 }, "the header declares no vertex element");
  const axes = ["x", "y", "z"].map((a) =>
    vertex.properties.findIndex((p) => p.name === a && !p.countType)
  );
  if (axes.some((i) => i < 0)) {
    throw new ShapeFileError(
      file,
      { line: vertex.line },
      "the vertex element lacks scalar x, y and z properties",
    );
  }
  const face = elements.find((e) => e.name === "face");
  const faceProp =
    face?.properties.findIndex((p) =>
      p.countType && (p.name === "vertex_indices" || p.name === "vertex_index")
    ) ?? -1;
  if (face && face.count > 0 && faceProp < 0) {
    throw new ShapeFileError(
      file,
      { line: face.line },
      "the face element lacks a vertex_indices list",
    );
  }
  if (face && faceProp >= 0 && face.properties[faceProp].type.startsWith("f")) {
    throw new ShapeFileError(file, { line: face.line }, "face indices must have an integer type");
  }
  const available = bytes.length - bodyStart;
  let need = 0;
  for (const e of elements) {
    const min = format === "ascii"
      ? 2 * e.properties.length
      : e.properties.reduce((s, p) => s + SIZE[p.countType ?? p.type], 0);
    checkCount(
      file,
      { line: e.line },
      `${e.name} element`,
      e.count,
      Math.max(1, min),
      available - need,
    );
    need += e.count * Math.max(1, min);
  }
  const sink = new Sink(file, vertex, axes, face, faceProp);
  if (format === "ascii") readAscii(file, bytes, bodyStart, headerLines, elements, sink);
  else readBinary(file, bytes, bodyStart, elements, sink);
  return sink.finish();
}

/** Collects vertices and triangles while the body is read. */
class Sink {
  readonly vertices: Float64Array;
  readonly triangles: number[] = [];
  constructor(
    readonly file: string,
    readonly vertex: Element,
    readonly axes: number[],
    readonly face: Element | undefined,
    readonly faceProp: number,
  ) {
    this.vertices = new Float64Array(3 * vertex.count);
  }

  accept(
    e: Element,
    i: number,
    values: (number | number[])[],
    at: { line?: number; offset?: number },
  ): void {
    if (e === this.vertex) {
      for (let d = 0; d < 3; d++) {
        const v = values[this.axes[d]] as number;
        if (!Number.isFinite(v)) {
          throw new ShapeFileError(this.file, at, `vertex ${i} has a non-finite coordinate`);
        }
        this.vertices[3 * i + d] = v;
      }
    } else if (e === this.face) {
      const idx = values[this.faceProp] as number[];
      if (idx.length < 3) {
        throw new ShapeFileError(
          this.file,
          at,
          `face ${i} has ${idx.length} vertices, expected at least 3`,
        );
      }
      for (const v of idx) {
        if (!Number.isInteger(v) || v < 0 || v >= this.vertex.count) {
          throw new ShapeFileError(
            this.file,
            at,
            `face ${i} refers to vertex ${v}, but there are ${this.vertex.count} vertices`,
          );
        }
      }
      for (let j = 1; j + 1 < idx.length; j++) this.triangles.push(idx[0], idx[j], idx[j + 1]);
    }
  }

  finish(): Shape {
    if (this.vertex.count === 0) {
      throw new ShapeFileError(
        this.file,
        { line: this.vertex.line },
        "the file declares no vertices",
      );
    }
    return { vertices: this.vertices, triangles: Uint32Array.from(this.triangles) };
  }
}

function parseHeader(file: string, bytes: Uint8Array) {
  const limit = Math.min(bytes.length, MAX_HEADER);
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, limit));
  const marker = /end_header[ \t]*\r?\n/.exec(head);
  if (!head.startsWith("ply")) {
    throw new ShapeFileError(file, { line: 1 }, "missing the 'ply' magic word");
  }
  if (!marker) {
    throw new ShapeFileError(
      file,
      { offset: 0 },
      `no end_header line within the first ${limit} bytes`,
    );
  }
  const bodyStart = marker.index + marker[0].length;
  const lines = head.slice(0, marker.index).split("\n");
  let format: "ascii" | "binary_little_endian" | null = null;
  const elements: Element[] = [];
  lines.forEach((raw, i) => {
    const line = i + 1;
    const tok = raw.trim().split(/\s+/).filter((t) => t.length > 0);
    const fail = (reason: string): never => {
      throw new ShapeFileError(file, { line }, reason);
    };
    if (tok.length === 0 || tok[0] === "ply" || tok[0] === "comment" || tok[0] === "obj_info") {
      return;
    }
    if (tok[0] === "format") {
      if (tok[1] === "ascii" || tok[1] === "binary_little_endian") format = tok[1];
      else {fail(
          `unsupported format '${tok[1] ?? ""}' (ascii and binary_little_endian are supported)`,
        );}
    } else if (tok[0] === "element") {
      const count = Number(tok[2]);
      if (!tok[1] || !/^\d+$/.test(tok[2] ?? "") || !Number.isSafeInteger(count)) {
        fail(`invalid element line '${raw.trim()}'`);
      }
      elements.push({ name: tok[1], count, properties: [], line });
    } else if (tok[0] === "property") {
      const e = elements.at(-1);
      if (!e) fail("a property before any element");
      else if (tok[1] === "list") {
        const countType = TYPES[tok[2]];
        const type = TYPES[tok[3]];
        if (!countType || !type || !tok[4]) fail(`invalid list property '${raw.trim()}'`);
        if (countType.startsWith("f")) fail("a list length must have an integer type");
        e.properties.push({ name: tok[4], type, countType });
      } else {
        const type = TYPES[tok[1]];
        if (!type || !tok[2]) fail(`invalid property '${raw.trim()}'`);
        e.properties.push({ name: tok[2], type });
      }
    } else {
      fail(`unknown header keyword '${tok[0]}'`);
    }
  });
  if (!format) throw new ShapeFileError(file, { line: 2 }, "missing the format line");
  return {
    elements,
    format: format as "ascii" | "binary_little_endian",
    bodyStart,
    headerLines: lines.length,
  };
}

function readAscii(
  file: string,
  bytes: Uint8Array,
  bodyStart: number,
  headerLines: number,
  elements: Element[],
  sink: Sink,
): void {
  const r: LineReader = new LineReader(file, new TextDecoder().decode(bytes.subarray(bodyStart)), {
    comments: false,
  });
  for (const e of elements) {
    for (let i = 0; i < e.count; i++) {
      const ln = r.next();
      if (!ln) {
        r.fail(
          `expected ${e.count} ${e.name} lines, the file ends after ${i}`,
          headerLines + r.line,
        );
      }
      const line = headerLines + ln.line;
      let t = 0;
      const values = e.properties.map((p) => {
        if (!p.countType) return r.float(ln.tokens[t++], `${e.name} ${i} property ${p.name}`, line);
        const k = r.int(ln.tokens[t++], `${e.name} ${i} list length`, line);
        if (k < 0 || t + k > ln.tokens.length) {
          r.fail(`${e.name} ${i} lists ${ln.tokens.length - t} of its ${k} values`, line);
        }
        const list: number[] = [];
        for (let j = 0; j < k; j++) {
          list.push(r.float(ln.tokens[t++], `${e.name} ${i} list value`, line));
        }
        return list;
      });
      sink.accept(e, i, values, { line });
    }
  }
}

function readBinary(
  file: string,
  bytes: Uint8Array,
  bodyStart: number,
  elements: Element[],
  sink: Sink,
): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = bodyStart;
  const read = (type: ScalarType, what: string): number => {
    const size = SIZE[type];
    if (pos + size > bytes.length) {
      throw new ShapeFileError(
        file,
        { offset: pos },
        `truncated file: ${what} needs ${size} bytes, ${bytes.length - pos} remain`,
      );
    }
    let v: number;
    switch (type) {
      case "i8":
        v = view.getInt8(pos);
        break;
      case "u8":
        v = view.getUint8(pos);
        break;
      case "i16":
        v = view.getInt16(pos, true);
        break;
      case "u16":
        v = view.getUint16(pos, true);
        break;
      case "i32":
        v = view.getInt32(pos, true);
        break;
      case "u32":
        v = view.getUint32(pos, true);
        break;
      case "f32":
        v = view.getFloat32(pos, true);
        break;
      case "f64":
        v = view.getFloat64(pos, true);
        break;
    }
    pos += size;
    return v;
  };
  for (const e of elements) {
    for (let i = 0; i < e.count; i++) {
      const start = pos;
      const values = e.properties.map((p) => {
        if (!p.countType) return read(p.type, `${e.name} ${i} property ${p.name}`);
        const k = read(p.countType, `${e.name} ${i} list length`);
        if (k < 0 || pos + k * SIZE[p.type] > bytes.length) {
          throw new ShapeFileError(
            file,
            { offset: start },
            `truncated file: ${e.name} ${i} lists ${k} values past the end`,
          );
        }
        const list: number[] = [];
        for (let j = 0; j < k; j++) list.push(read(p.type, `${e.name} ${i} list value`));
        return list;
      });
      sink.accept(e, i, values, { offset: start });
    }
  }
}
