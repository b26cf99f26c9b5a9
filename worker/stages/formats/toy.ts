/**
 * The `toy-data` artifact: the toy data as JSON (the ground truth's arrays as number lists).
 * @module
 */
import type { MultimodalData } from "../../data/mod.ts";
import type { ToyDataset } from "../../models/mod.ts";
import { decodeJson, encodeJson } from "./packed.ts";

/** Multimodal data as JSON. */
interface JsonData {
  inDim: number;
  outDim: number;
  x: number[];
  y: number[];
  mode: number[] | null;
  modeNames: string[];
  xNames: string[];
  yNames: string[];
}

/** Encodes a `toy-data` artifact. */
export function encodeToyData(d: ToyDataset): Uint8Array {
  const t = d.truth;
  const truth: JsonData = {
    inDim: t.inDim,
    outDim: t.outDim,
    x: Array.from(t.x),
    y: Array.from(t.y),
    mode: t.mode ? Array.from(t.mode) : null,
    modeNames: [...t.modeNames],
    xNames: [...t.xNames],
    yNames: [...t.yNames],
  };
  return encodeJson({
    source: d.source,
    kind: d.kind,
    pairs: d.pairs,
    modesFrom: d.modesFrom,
    truth,
  });
}

/** Decodes a `toy-data` artifact. */
export function decodeToyData(bytes: Uint8Array): ToyDataset {
  const d = decodeJson<Omit<ToyDataset, "truth"> & { truth: JsonData }>(bytes);
  const j = d.truth;
  const truth: MultimodalData = {
    n: j.x.length / j.inDim,
    inDim: j.inDim,
    outDim: j.outDim,
    x: Float32Array.from(j.x),
    y: Float32Array.from(j.y),
    mode: j.mode ? Int32Array.from(j.mode) : null,
    modeNames: j.modeNames,
    xNames: j.xNames,
    yNames: j.yNames,
  };
  return { source: d.source, kind: d.kind, pairs: d.pairs, modesFrom: d.modesFrom, truth };
}
