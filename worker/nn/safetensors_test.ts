import { assert, assertEquals, assertThrows } from "../../testing/assert.ts";
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from "./safetensors.ts";

function rawFile(header: unknown, data: Uint8Array = new Uint8Array(0), headerLen?: number) {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLen ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

Deno.test("safetensors round-trips tensors, scalars, empty tensors and metadata", () => {
  const tensors = new Map([
    ["w", { shape: [2, 3], data: new Float32Array([1, -2, 3.5, 4, 5, -6e-8]) }],
    ["s", { shape: [], data: new Float32Array([7]) }],
    ["e", { shape: [0, 4], data: new Float32Array(0) }],
  ]);
  const bytes = encodeSafetensors(tensors, { step: "12", format: "pt" });
  const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assertEquals((8 + headerLen) % 8, 0);
  const back = decodeSafetensors(bytes);
  assertEquals([...back.tensors.keys()], ["w", "s", "e"]);
  for (const [name, t] of tensors) {
    assertEquals(back.tensors.get(name)!.shape, t.shape);
    assertEquals(back.tensors.get(name)!.data, t.data);
  }
  assertEquals(back.metadata, { step: "12", format: "pt" });
});

Deno.test("safetensors reads a file written by another tool (unpadded, out-of-order offsets)", () => {
  const header = {
    __metadata__: { format: "pt" },
    b: { dtype: "F32", shape: [1], data_offsets: [8, 12] },
    a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
  };
  const file = rawFile(header, f32Bytes([1.5, 2.5, -3]));
  const back = decodeSafetensors(file.subarray(0));
  assertEquals(back.tensors.get("a")!.data, new Float32Array([1.5, 2.5]));
  assertEquals(back.tensors.get("b")!.data, new Float32Array([-3]));
  const unaligned = new Uint8Array(file.length + 1);
  unaligned.set(file, 1);
  assertEquals(decodeSafetensors(unaligned.subarray(1)).tensors.get("b")!.data[0], -3);
});

Deno.test("safetensors rejects malformed files with a clear message", () => {
  const good = { a: { dtype: "F32", shape: [2], data_offsets: [0, 8] } };
  const cases: [string, Uint8Array, string][] = [
    ["short", new Uint8Array(5), "fewer than the 8-byte header length"],
    ["zero header", rawFile(good, f32Bytes([1, 2]), 0), "bad header length 0"],
    ["header too long", rawFile(good, f32Bytes([1, 2]), 10_000), "exceeds the"],
    ["not json", rawFile("x").map((b, i) => (i === 8 ? 0x7b : b)), "not valid UTF-8 JSON"],
    ["array header", rawFile([1]), "not a JSON object"],
    ["truncated", rawFile(good, f32Bytes([1])), "truncated file?"],
    [
      "dtype",
      rawFile({ a: { dtype: "F16", shape: [2], data_offsets: [0, 4] } }, f32Bytes([1])),
      'dtype "F16"',
    ],
    [
      "shape",
      rawFile({ a: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, f32Bytes([1])),
      "bad shape",
    ],
    [
      "size mismatch",
      rawFile({ a: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, f32Bytes([1, 2])),
      "needs 12 bytes",
    ],
    [
      "offsets",
      rawFile({ a: { dtype: "F32", shape: [2], data_offsets: [8, 0] } }, f32Bytes([1, 2])),
      "bad data_offsets",
    ],
    [
      "overlap",
      rawFile({
        a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
        b: { dtype: "F32", shape: [2], data_offsets: [4, 12] },
      }, f32Bytes([1, 2, 3])),
      "overlap",
    ],
    [
      "hole",
      rawFile({ a: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, f32Bytes([1, 2])),
      "belong to no tensor",
    ],
    ["trailing", rawFile(good, f32Bytes([1, 2, 3])), "the tensors cover 8"],
    ["metadata", rawFile({ __metadata__: { a: 1 } }), 'metadata "a" is not a string'],
  ];
  for (const [label, bytes, message] of cases) {
    const err = assertThrows(() => decodeSafetensors(bytes), SafetensorsError, message);
    assert(err.message.startsWith("Cannot read safetensors: "), `${label}: ${err.message}`);
  }
});

Deno.test("safetensors refuses to write inconsistent tensors", () => {
  assertThrows(
    () => encodeSafetensors([["a", { shape: [3], data: new Float32Array(2) }]]),
    SafetensorsError,
    "has 2 values, expected 3",
  );
  assertThrows(
    () => encodeSafetensors([["__metadata__", { shape: [0], data: new Float32Array(0) }]]),
    SafetensorsError,
    "reserved",
  );
});
