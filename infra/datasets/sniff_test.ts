import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { assert, assertEquals } from "../../testing/assert.ts";
import { offText } from "./_testing.ts";
import { EtagVerifier } from "./etag.ts";
import { SNIFF_BYTES, sniffProblem } from "./sniff.ts";

const enc = (s: string) => new TextEncoder().encode(s);

function sniff(path: string, body: string | Uint8Array, hasClass = true): string | null {
  const bytes = typeof body === "string" ? enc(body) : body;
  return sniffProblem(path, hasClass, bytes.subarray(0, SNIFF_BYTES), bytes.length);
}

Deno.test("readable meshes, point lists, images and tables pass the sniff", () => {
  const ply = "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\n" +
    "property float z\nend_header\n0 0 0\n1 0 0\n0 1 0\n";
  const good: [string, string | Uint8Array, boolean?][] = [
    ["a/train/t.off", offText()],
    [
      "a/train/t.off",
      "# comment\nOFF490 518 0\n" + "0 0 0\n".repeat(490) + "3 0 1 2\n".repeat(518),
    ],
    ["a/train/t.off", "COFF\n\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n"],
    ["a/train/t.obj", "# obj\nmtllib x.mtl\no t\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n"],
    ["a/train/t.ply", ply],
    ["a/train/t.xyz", "0 0 0\n1 0 0\n0 1 0\n"],
    ["a/train/t.csv", "x,y,z\n0,0,0\n1,0.5,-2e3\n"],
    ["a/train/t.pts", "3\n0 0 0\n1 0 0\n0 1 0\n"],
    ["a/t.png", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0])],
    ["a/t.jpg", new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0])],
    ["rows.csv", "x0,y0\n1,2\n", false],
  ];
  for (const [path, body, hasClass] of good) {
    assertEquals(sniff(path, body, hasClass ?? true), null, path);
  }
  // A big file whose sniffed head ends mid-line still passes.
  const big = "OFF\n5000 1 0\n" + "0.123456 0.123456 0.123456\n".repeat(5000) + "3 0 1 2\n";
  assertEquals(sniff("a/train/big.off", big), null);
});

Deno.test("the wrong file, a truncated header and binary garbage fail the sniff with a reason", () => {
  const cases: [string, string | Uint8Array, string][] = [
    ["a/train/t.off", "", "the object is empty"],
    ["a/train/t.off", "PLY\n4 4 0\n", "expected an OFF header, found 'PLY'"],
    ["a/train/t.off", "OFF\n", "lacks its vertex and face counts"],
    ["a/train/t.off", "OFF\nfour four\n", "expected the vertex and face counts"],
    ["a/train/t.off", "OFF\n0 0 0\n", "declares no vertices"],
    ["a/train/t.off", "OFF\n1000 2000 0\n0 0 0\n", "a truncated upload?"],
    ["a/train/t.off", new Uint8Array([0x4f, 0x46, 0x46, 0, 1, 2, 3]), "binary data"],
    ["a/train/t.obj", "PK\u0003\u0004", "binary data"],
    ["a/train/t.obj", "solid cube\nfacet normal 0 0 1\n", "expected OBJ statements"],
    ["a/train/t.obj", "# only comments\no name\n", "the OBJ file has no vertices"],
    ["a/train/t.ply", "OFF\n4 4 0\n", "expected a PLY header"],
    ["a/train/t.ply", "ply\nformat binary_big_endian 1.0\nend_header\n", "big-endian"],
    ["a/train/t.ply", "ply\nformat ascii 1.0\nelement face 1\nend_header\n", "no vertex element"],
    ["a/train/t.ply", "ply\nformat ascii 1.0\nelement vertex 3\n", "no end_header"],
    ["a/train/t.xyz", "0 0\n1 1\n", "at least 3 numbers"],
    ["a/train/t.csv", "x,y,z\n", "no points"],
    ["a/train/t.png", "not a png", "not a PNG file"],
    ["a/train/t.jpeg", "\u0089PNG", "not a JPEG file"],
    ["a/train/t.stl", "solid", "the extension is unknown"],
  ];
  for (const [path, body, message] of cases) {
    const problem = sniff(path, body);
    assert(problem?.includes(message), `${path} ${JSON.stringify(body)}: ${problem}`);
  }
});

function md5(b: Uint8Array): Buffer {
  return createHash("md5").update(b).digest();
}

Deno.test("ETags: MD5 exact, multipart by the parts it was built from, otherwise the size", () => {
  const data = new Uint8Array(11 << 20).map((_, i) => (i * 7919) & 0xff);
  const verify = (etag: string, size: number, bytes: Uint8Array, chunk = 65_536) => {
    const v = new EtagVerifier(etag, size);
    for (let i = 0; i < bytes.length; i += chunk) v.update(bytes.subarray(i, i + chunk));
    return v.finish();
  };
  const whole = md5(data).toString("hex");
  assertEquals(verify(whole, data.length, data), { ok: true, check: "md5" });
  const corrupt = data.slice();
  corrupt[12345] ^= 1;
  const bad = verify(whole, data.length, corrupt);
  assert(!bad.ok && bad.reason.includes(`the ETag is ${whole}`), JSON.stringify(bad));
  const short = verify(whole, data.length, data.subarray(1));
  assert(
    !short.ok &&
      short.reason === `received ${data.length - 1} bytes, the listing says ${data.length}`,
  );
  // A multipart ETag built from 5 MiB parts (3 parts), computed independently here.
  const part = 5 << 20;
  const digests = [0, 1, 2].map((i) => md5(data.subarray(i * part, (i + 1) * part)));
  const multi = `${md5(Buffer.concat(digests)).toString("hex")}-3`;
  assertEquals(verify(multi, data.length, data, 1_000_003), { ok: true, check: "multipart-md5" });
  assertEquals(verify(multi, data.length, corrupt), { ok: true, check: "size" });
  assertEquals(verify("0123456789abcdef0123456789abcdef-7", data.length, data), {
    ok: true,
    check: "size",
  });
  assertEquals(verify("opaque-etag", data.length, data), { ok: true, check: "size" });
  assert(!verify("opaque-etag", data.length + 1, data).ok);
});
