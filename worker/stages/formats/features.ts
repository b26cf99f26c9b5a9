/**
 * The `feature-table` artifact: CSV with one row per shape — id, split, label, f0… .
 * @module
 */
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";

/** A parsed feature table. */
export interface FeatureTable {
  ids: string[];
  split: string[];
  labels: string[];
  dim: number;
  /** [n, dim]. */
  x: Float32Array;
}

/** Encodes a feature table (values with 6 significant digits). */
export function encodeFeatures(t: FeatureTable): Uint8Array {
  const header = ["id", "split", "label", ...Array.from({ length: t.dim }, (_, j) => `f${j}`)];
  const records = t.ids.map((id, i) => [
    id,
    t.split[i],
    t.labels[i],
    ...Array.from(t.x.subarray(i * t.dim, (i + 1) * t.dim), (v) => Number(v.toPrecision(6))),
  ]);
  return new TextEncoder().encode(stringify([header, ...records]));
}

/** Parses a feature CSV (id, split, label, f0…). */
export function decodeFeatures(bytes: Uint8Array): FeatureTable {
  const rows = parse(new TextDecoder().decode(bytes)) as string[][];
  const [header, ...body] = rows;
  if (header?.[0] !== "id" || header[1] !== "split" || header[2] !== "label") {
    throw new Error('Cannot read the feature table: the header must start with "id,split,label"');
  }
  const dim = header.length - 3;
  const x = new Float32Array(body.length * dim);
  body.forEach((r, i) => {
    for (let j = 0; j < dim; j++) x[i * dim + j] = Number(r[j + 3]);
  });
  return {
    ids: body.map((r) => r[0]),
    split: body.map((r) => r[1]),
    labels: body.map((r) => r[2]),
    dim,
    x,
  };
}
