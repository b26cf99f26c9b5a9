import { assertEquals, assertThrows } from "../../../testing/assert.ts";
import { f32, i32, pack, packFolder, unpack, unpackFolder } from "./packed.ts";

Deno.test("pack round-trips metadata, shapes and f32/i32 arrays", () => {
  const p = unpack<{ a: number }>(
    pack({ a: 1 }, { x: new Float32Array([1.5, -2, 3, 4]), y: Int32Array.of(7) }, { x: [2, 2] }),
  );
  assertEquals(p.meta, { a: 1 });
  assertEquals([...f32(p, "x")], [1.5, -2, 3, 4]);
  assertEquals(p.shapes.x, [2, 2]);
  assertEquals([...i32(p, "y")], [7]);
  assertThrows(() => f32(p, "y"));
  assertThrows(() => unpack(new Uint8Array(4)));
});

Deno.test("packed folders keep every file", () => {
  const files = new Map([["b/train/x.off", "OFF\n"], ["a/test/y.off", "OFF\n0 0 0\n"]]);
  assertEquals(unpackFolder(packFolder(files)), files);
});
