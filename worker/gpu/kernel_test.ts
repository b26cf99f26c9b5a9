import { assertAllClose, assertEquals, assertThrows } from "../../testing/assert.ts";
import { gpuTest } from "./_testing.ts";
import { kernel, read, readWrite } from "./kernel.ts";

const MIXED = kernel({
  name: "test_mixed",
  bindings: (vec: boolean) => ({ src: read(vec ? "vec4<f32>" : "f32"), dst: readWrite() }),
  uniforms: { n: "u32", off: "i32", scale: "f32", pad: "vec4<u32>", rows: "array<vec4<f32>, 2>" },
  key: (vec) => (vec ? "v4" : "s"),
  body: (vec) =>
    `@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  if (g.x >= p.n) { return; }
  let v = ${vec ? "src[g.x / 4u][g.x % 4u]" : "src[g.x]"};
  dst[g.x] = v * p.scale + f32(p.off) + f32(p.pad.z) + p.rows[1].y;
}`,
});

Deno.test("the header is generated from the declaration, in binding order", () => {
  assertEquals(
    MIXED.header(true),
    [
      "struct P { n: u32, off: i32, scale: f32, pad: vec4<u32>, rows: array<vec4<f32>, 2> }",
      "@group(0) @binding(0) var<storage, read> src: array<vec4<f32>>;",
      "@group(0) @binding(1) var<storage, read_write> dst: array<f32>;",
      "@group(0) @binding(2) var<uniform> p: P;",
    ].join("\n"),
  );
});

Deno.test("uniforms are packed by name with WGSL's 16-byte alignment of vectors", () => {
  const bytes = MIXED.pack({ n: 7, off: -2, scale: 0.5, pad: [1, 2, 3], rows: [0, 1, 2, 3, 4, 5] });
  assertEquals(bytes.byteLength, 64);
  const v = new DataView(bytes);
  assertEquals(v.getUint32(0, true), 7);
  assertEquals(v.getInt32(4, true), -2);
  assertEquals(v.getFloat32(8, true), 0.5);
  assertEquals([16, 20, 24, 28].map((o) => v.getUint32(o, true)), [1, 2, 3, 0]);
  assertEquals(v.getFloat32(32 + 4 * 5, true), 5);
});

Deno.test("bad uniforms are refused with the field's name", () => {
  const ok = { n: 1, off: 0, scale: 1, pad: [0], rows: [0] };
  assertThrows(() => MIXED.pack({ ...ok, n: -1 }), RangeError, "u32 kernel parameter n");
  assertThrows(() => MIXED.pack({ ...ok, off: 0.5 }), RangeError, "i32 kernel parameter off");
  assertThrows(() => MIXED.pack({ ...ok, pad: [1, 2, 3, 4, 5] }), RangeError, "uniform pad");
  const { scale: _, ...missing } = ok;
  assertThrows(() => MIXED.pack(missing as typeof ok), RangeError, "uniform scale");
  assertThrows(() => MIXED.pack({ ...ok, extra: 1 } as typeof ok), RangeError, "unknown uniforms");
  assertThrows(
    () =>
      kernel({ name: "x", bindings: {}, uniforms: { m: "mat4x4<f32>" as "f32" }, body: () => "" }),
    RangeError,
    "unsupported type",
  );
});

gpuTest("a declared kernel runs with buffers and uniforms by name", async (gpu) => {
  const src = gpu.tensor([1, 2, 3, 4, 5, 6, 7, 8], [8]);
  for (const vec of [false, true]) {
    const dst = gpu.empty([8]);
    MIXED.run(gpu, {
      variant: vec,
      buffers: { src, dst },
      uniforms: { n: 8, off: -1, scale: 2, pad: [0, 0, 10, 0], rows: [0, 0, 0, 0, 0, 0.5] },
      workgroups: [1],
    });
    assertAllClose(await dst.read(), [1, 2, 3, 4, 5, 6, 7, 8].map((x) => 2 * x - 1 + 10 + 0.5));
    assertThrows(
      () =>
        MIXED.run(gpu, {
          variant: vec,
          buffers: { src } as { src: typeof src; dst: typeof src },
          uniforms: { n: 8, off: 0, scale: 1, pad: [0], rows: [0] },
          workgroups: [1],
        }),
      RangeError,
      "no buffer dst",
    );
    dst.dispose();
  }
  src.dispose();
});
