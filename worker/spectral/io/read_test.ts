import { assert, assertEquals, assertThrows } from "../../../testing/assert.ts";
import { ShapeFileError } from "./errors.ts";
import { parseShape } from "./read.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const read = (name: string, text: string | Uint8Array) =>
  parseShape(name, typeof text === "string" ? enc(text) : text);

function refuses(name: string, content: string | Uint8Array, where: string, reason: string): void {
  const e = assertThrows(() => read(name, content), ShapeFileError) as ShapeFileError;
  assert(
    e.message.startsWith(`Cannot read ${name}: ${where}`),
    `message '${e.message}' should name ${where}`,
  );
  assert(e.message.includes(reason), `message '${e.message}' should say '${reason}'`);
}

function binaryPly(
  header: string,
  vertices: number[][],
  faces: number[][],
  opts: { truncate?: number } = {},
): Uint8Array {
  const head = enc(header);
  const body = new DataView(
    new ArrayBuffer(vertices.length * 13 + faces.reduce((s, f) => s + 1 + 4 * f.length, 0)),
  );
  let o = 0;
  for (const [x, y, z] of vertices) {
    body.setFloat32(o, x, true);
    body.setFloat32(o + 4, y, true);
    body.setFloat32(o + 8, z, true);
    body.setUint8(o + 12, 7);
    o += 13;
  }
  for (const f of faces) {
    body.setUint8(o++, f.length);
    for (const v of f) {
      body.setInt32(o, v, true);
      o += 4;
    }
  }
  const out = new Uint8Array(head.length + body.byteLength);
  out.set(head);
  out.set(new Uint8Array(body.buffer), head.length);
  return opts.truncate ? out.subarray(0, out.length - opts.truncate) : out;
}

const PLY_BIN_HEAD = (nv: number, nf: number) =>
  `ply\r\nformat binary_little_endian 1.0\r\ncomment made by a test\r\nelement vertex ${nv}\r\n` +
  `property float x\r\nproperty float y\r\nproperty float z\r\nproperty uchar quality\r\n` +
  `element face ${nf}\r\nproperty list uchar int vertex_indices\r\nend_header\r\n`;

Deno.test("OFF: plain, ModelNet header quirk, comments, CRLF, polygons", () => {
  const plain = read(
    "a.off",
    "OFF\n# comment\n4 2 0\n0 0 0\n1 0 0\n0 1 0\n0 0 1 # tip\n3 0 1 2\n3 0 1 3\n",
  );
  assertEquals(plain.vertices.length, 12);
  assertEquals(Array.from(plain.triangles), [0, 1, 2, 0, 1, 3]);
  const quirk = read(
    "m.off",
    "OFF4 1 0\r\n0 0 0\r\n1 0 0\r\n1 1 0\r\n0 1 0\r\n4 0 1 2 3 255 0 0\r\n",
  );
  assertEquals(Array.from(quirk.triangles), [0, 1, 2, 0, 2, 3]);
  const sameLine = read("s.off", "OFF 3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n");
  assertEquals(sameLine.triangles.length, 3);
  const coff = read(
    "c.off",
    "COFF\n3 1 0\n0 0 0 255 0 0 255\n1 0 0 0 255 0 255\n0 1 0 0 0 255 255\n3 2 1 0\n",
  );
  assertEquals(Array.from(coff.vertices.subarray(3, 6)), [1, 0, 0]);
});

Deno.test("OBJ: slashed, negative indices, polygons, ignored statements", () => {
  const s = read(
    "a.obj",
    "# cube corner\nmtllib x.mtl\no thing\nv 0 0 0\nv 1 0 0 1.0\nv 1 1 0\nv 0 1 0\nvn 0 0 1\nvt 0 0\n" +
      "g side\nusemtl m\ns off\nf 1/1/1 2/1/1 3//1 4\nf -4 -3 -1\nl 1 2\n",
  );
  assertEquals(s.vertices.length, 12);
  assertEquals(Array.from(s.triangles), [0, 1, 2, 0, 2, 3, 0, 1, 3]);
});

Deno.test("PLY: ascii and binary little-endian, extra elements and properties", () => {
  const ascii = read(
    "a.ply",
    "ply\nformat ascii 1.0\ncomment x\nelement vertex 4\nproperty double x\nproperty double y\n" +
      "property double z\nproperty uchar red\nelement face 1\nproperty list uchar uint vertex_indices\n" +
      "element edge 1\nproperty int a\nproperty int b\nend_header\n0 0 0 1\n1 0 0 2\n1 1 0 3\n0 1 0 4\n4 0 1 2 3\n0 1\n",
  );
  assertEquals(Array.from(ascii.triangles), [0, 1, 2, 0, 2, 3]);
  const bin = read(
    "b.ply",
    binaryPly(PLY_BIN_HEAD(3, 1), [[0, 0, 0], [1, 0, 0], [0, 2.5, 0]], [[0, 1, 2]]),
  );
  assertEquals(Array.from(bin.vertices), [0, 0, 0, 1, 0, 0, 0, 2.5, 0]);
  assertEquals(Array.from(bin.triangles), [0, 1, 2]);
  const cloud = read(
    "c.ply",
    "ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\nproperty float z\nend_header\n1 2 3\n4 5 6\n",
  );
  assertEquals(cloud.triangles.length, 0);
});

Deno.test("point lists: .xyz, .pts with a count line, .csv with a header", () => {
  assertEquals(read("p.xyz", "1 2 3\n4 5 6 0.5\n").vertices.length, 6);
  assertEquals(read("p.pts", "2\n1 2 3 10 255 0 0\r\n4 5 6 10 0 255 0\r\n").vertices.length, 6);
  const csv = read("p.csv", "x,y,z,label\n1,2,3,a\n4, 5, 6,b\n");
  assertEquals(Array.from(csv.vertices), [1, 2, 3, 4, 5, 6]);
});

Deno.test("broken OFF files are refused with file, line and reason", () => {
  refuses(
    "t.off",
    "OFF\n3 1 0\n0.0000 0.0000 0.0000\n1.0000 0.0000 0.0000\n",
    "line 4",
    "expected 3 vertices, the file ends after 2",
  );
  refuses("t.off", "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 7\n", "line 6", "refers to vertex 7");
  refuses(
    "t.off",
    "OFF\n3 1 0\n0 0 0\n1 nan 0\n0 1 0\n3 0 1 2\n",
    "line 4",
    "invalid vertex 1 coordinate 'nan'",
  );
  refuses(
    "t.off",
    "OFF\n3 1 0\n0 0 0\n1 1e999 0\n0 1 0\n3 0 1 2\n",
    "line 4",
    "expected a finite number",
  );
  refuses(
    "t.off",
    "OFF\n3 10000000000 0\n0 0 0\n1 0 0\n0 1 0\n",
    "line 2",
    "face count 10000000000 exceeds",
  );
  refuses(
    "t.off",
    "OFF\n3 2000000 0\n0 0 0\n1 0 0\n0 1 0\n",
    "line 2",
    "needs at least 14000000 bytes",
  );
  refuses(
    "t.off",
    "OFF\n3 1 0\n0.0 0 0\n1.0 0 0\n0.0 1 0\n2 0 1\n",
    "line 6",
    "face 0 has 2 vertices",
  );
  refuses("t.off", "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n5 0 1 2\n", "line 6", "lists 3 of its 5");
  refuses("t.off", "PLY\n3 1 0\n", "line 1", "expected an OFF header");
  refuses("t.off", "OFF\n-3 1 0\n", "line 2", "invalid vertex count -3");
  refuses("t.off", "", "line 1", "the file is empty");
});

Deno.test("broken OBJ files are refused with file, line and reason", () => {
  refuses(
    "t.obj",
    "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 9\n",
    "line 4",
    "refers to vertex 9, but there are 3",
  );
  refuses("t.obj", "v 0 0 0\nf 0 1 2\n", "line 2", "index 0");
  refuses("t.obj", "v 0 0 0\nv 1 0\n", "line 2", "vertex has 2 coordinates");
  refuses("t.obj", "v 0 0 0\nv 1 x 0\n", "line 2", "invalid vertex coordinate 'x'");
  refuses("t.obj", "v 0 0 0\nf -1 -2 -3\n", "line 2", "points before the first vertex");
  refuses("t.obj", "# nothing\n", "line 1", "no vertices");
});

Deno.test("broken PLY files are refused with file, line or byte offset and reason", () => {
  const good = binaryPly(PLY_BIN_HEAD(3, 1), [[0, 0, 0], [1, 0, 0], [0, 1, 0]], [[0, 1, 2]]);
  const headLen = enc(PLY_BIN_HEAD(3, 1)).length;
  refuses("t.ply", good.subarray(0, good.length - 2), `byte ${headLen + 39}`, "truncated file");
  refuses(
    "t.ply",
    binaryPly(PLY_BIN_HEAD(3, 1), [[0, 0, 0], [1, 0, 0], [0, 1, 0]], [[0, 1, 5]]),
    `byte ${headLen + 39}`,
    "refers to vertex 5",
  );
  refuses(
    "t.ply",
    binaryPly(PLY_BIN_HEAD(3, 1), [[0, 0, 0], [NaN, 0, 0], [0, 1, 0]], [[0, 1, 2]]),
    `byte ${headLen + 13}`,
    "non-finite",
  );
  refuses(
    "t.ply",
    binaryPly(PLY_BIN_HEAD(10000000000, 1), [[0, 0, 0]], []),
    "line 4",
    "exceeds the limit",
  );
  refuses(
    "t.ply",
    binaryPly(PLY_BIN_HEAD(3, 2000000), [[0, 0, 0], [1, 0, 0], [0, 1, 0]], [[0, 1, 2]]),
    "line 9",
    "needs at least",
  );
  refuses(
    "t.ply",
    "ply\nformat binary_big_endian 1.0\nelement vertex 1\nproperty float x\nend_header\n",
    "line 2",
    "unsupported format",
  );
  refuses(
    "t.ply",
    "ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\n",
    "byte 0",
    "no end_header",
  );
  refuses(
    "t.ply",
    "ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nend_header\n1\n",
    "line 3",
    "lacks scalar x, y and z",
  );
  refuses(
    "t.ply",
    "ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\nproperty float z\nend_header\n1.0000 2.0000 3.0000\n4.0000 5.0000\n",
    "line 9",
    "missing vertex 1 property z",
  );
  refuses("t.ply", "xyz\n", "line 1", "missing the 'ply' magic word");
});

Deno.test("broken point lists are refused with file, line and reason", () => {
  refuses("t.xyz", "1 2 3\n4 5\n", "line 2", "point has 2 values");
  refuses("t.xyz", "1 2 3\n4 5 NaN\n", "line 2", "invalid coordinate 'NaN'");
  refuses("t.pts", "3\n1 2 3\n", "line 1", "needs at least 18 bytes");
  refuses("t.pts", "2\n1 2 3\n4 5 6\n7 8 9\n", "line 1", "declares 2 points but the file has 3");
  refuses("t.csv", "x,y,z\n", "line 1", "no points");
  refuses("t.stl", "solid", "", "unknown extension '.stl'");
});
