/**
 * Byte formats of the spectral artifacts: `shape-set` and `map-set` (packed arrays with their
 * metadata), `corruption` (the recipe as JSON), `corrupted-maps` (the fixed corrupted test
 * split) and `map-samples` (a few test inputs with their k recovered draws).
 * @module
 */
import { type Corrupted, INPUT_CHANNELS, type Recipe } from "../../data/mod.ts";
import type { MapSamples } from "../../report/mod.ts";
import type { MapSet, MapSetMeta, ShapeSet, ShapeSetMeta } from "../../spectral/mod.ts";
import { decodeJson, encodeJson, f32, i32, pack, type Packed, unpack } from "./packed.ts";

/** Encodes a `shape-set` artifact. */
export function encodeShapeSet(s: ShapeSet): Uint8Array {
  const n = s.labels.length;
  return pack(s.meta, { points: s.points, labels: s.labels, split: s.split }, {
    points: [n, s.meta.points, 3],
  });
}

/** Decodes a `shape-set` artifact. */
export function decodeShapeSet(bytes: Uint8Array): ShapeSet {
  const p = unpack<ShapeSetMeta>(bytes);
  return {
    meta: p.meta,
    points: f32(p, "points"),
    labels: i32(p, "labels"),
    split: i32(p, "split"),
  };
}

/** Encodes a `map-set` artifact. */
export function encodeMapSet(s: MapSet): Uint8Array {
  const n = s.labels.length;
  const { height, width } = s.meta;
  return pack(
    s.meta,
    {
      values: s.values,
      valid: s.valid,
      mean: s.mean,
      std: s.std,
      labels: s.labels,
      split: s.split,
      invariants: s.invariants,
    },
    {
      values: [n, height, width],
      valid: [height, width],
      invariants: [n, s.invariants.length / Math.max(n, 1)],
    },
  );
}

/** Decodes a `map-set` artifact. */
export function decodeMapSet(bytes: Uint8Array): MapSet {
  const p: Packed<MapSetMeta> = unpack(bytes);
  return {
    meta: p.meta,
    values: f32(p, "values"),
    valid: f32(p, "valid"),
    mean: f32(p, "mean"),
    std: f32(p, "std"),
    labels: i32(p, "labels"),
    split: i32(p, "split"),
    invariants: f32(p, "invariants"),
  };
}

/** Encodes a `corruption` artifact. */
export function encodeRecipe(recipe: Recipe): Uint8Array {
  return encodeJson(recipe);
}

/** Decodes a `corruption` artifact. */
export function decodeRecipe(bytes: Uint8Array): Recipe {
  return decodeJson<Recipe>(bytes);
}

/** The fixed corrupted test split (a `corrupted-maps` artifact). */
export interface CorruptedTest extends Corrupted {
  rows: number[];
  /** The recipe's mask kind; absent = `rectangle`. */
  mask?: Recipe["mask"];
}

/**
 * Encodes a `corrupted-maps` artifact of `height × width` maps (the mask kind is kept when it is
 * not a rectangle; a rectangle's artifact is as before mask kinds).
 */
export function encodeCorrupted(t: CorruptedTest, height: number, width: number): Uint8Array {
  const meta = t.mask === undefined || t.mask === "rectangle"
    ? { rows: t.rows }
    : { rows: t.rows, mask: t.mask };
  return pack(meta, { inputs: t.inputs, changed: t.changed }, {
    inputs: [t.rows.length, height, width, INPUT_CHANNELS],
    changed: [t.rows.length, height * width],
  });
}

/** Decodes a `corrupted-maps` artifact. */
export function decodeCorrupted(bytes: Uint8Array): CorruptedTest {
  const p = unpack<{ rows: number[]; mask?: Recipe["mask"] }>(bytes);
  const test: CorruptedTest = {
    rows: p.meta.rows,
    inputs: f32(p, "inputs"),
    changed: f32(p, "changed"),
  };
  return p.meta.mask === undefined ? test : { ...test, mask: p.meta.mask };
}

/** Encodes a `map-samples` artifact. */
export function encodeSamples(s: MapSamples): Uint8Array {
  return pack(
    { model: s.model, rows: s.rows, draws: s.draws, height: s.height, width: s.width },
    { clean: s.clean, corrupted: s.corrupted, changed: s.changed, recovered: s.recovered },
  );
}

/** Decodes a `map-samples` artifact. */
export function decodeSamples(bytes: Uint8Array): MapSamples {
  const p = unpack<Omit<MapSamples, "clean" | "corrupted" | "changed" | "recovered">>(bytes);
  return {
    ...p.meta,
    clean: f32(p, "clean"),
    corrupted: f32(p, "corrupted"),
    changed: f32(p, "changed"),
    recovered: f32(p, "recovered"),
  };
}
