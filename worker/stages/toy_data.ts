/**
 * `toy.data@1`: the toy data of the paper's Sec. 4 as an artifact: the built-in ±4(x, x², x³)
 * curves (drawn fresh every epoch by the trainer; the ground truth is every branch on an even
 * grid of `truth` inputs), or the rows of a CSV of x… / y… columns (a fixed set of at most
 * `pairs` rows, which is also the ground truth; without a "mode" column the modes are found by
 * clustering).
 * @module
 */
import type { StageParams, toyData } from "../../pipelines/mod.ts";
import {
  type MultimodalData,
  PLUS_MINUS,
  readMultimodalCsv,
  selectRows,
  toyGrid,
  toyTruth,
  withModes,
} from "../data/mod.ts";
import { findModes } from "../eval/mod.ts";
import { Rng } from "../lib/mod.ts";
import { decodeJson, encodeJson } from "./artifacts.ts";
import { paramsOf, type StageImpl } from "./types.ts";

/** Multimodal data as JSON. */
export interface JsonData {
  inDim: number;
  outDim: number;
  x: number[];
  y: number[];
  mode: number[] | null;
  modeNames: string[];
  xNames: string[];
  yNames: string[];
}

/** The `toy-data` artifact. */
export interface ToyData {
  source: string;
  /** "fresh": the built-in curves, `pairs` new pairs per epoch; "fixed": the CSV's rows. */
  kind: "fresh" | "fixed";
  pairs: number;
  modesFrom: "labels" | "clustering";
  /** Ground truth of the metrics (and the training rows when fixed). */
  truth: JsonData;
}

/** Multimodal data as JSON. */
export function dataToJson(d: MultimodalData): JsonData {
  return {
    inDim: d.inDim,
    outDim: d.outDim,
    x: Array.from(d.x),
    y: Array.from(d.y),
    mode: d.mode ? Array.from(d.mode) : null,
    modeNames: [...d.modeNames],
    xNames: [...d.xNames],
    yNames: [...d.yNames],
  };
}

/** Multimodal data from JSON. */
export function dataFromJson(j: JsonData): MultimodalData {
  return {
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
}

/** Reads a `toy-data` artifact. */
export function readToyData(bytes: Uint8Array): ToyData {
  return decodeJson<ToyData>(bytes);
}

/** Writes the data artifact. */
export const run: StageImpl = async (ctx) => {
  const p = paramsOf<StageParams<typeof toyData>>(ctx);
  if (p.csv === "") {
    const out: ToyData = {
      source: `built-in ${PLUS_MINUS.name}: y = ±4(x, x², x³)`,
      kind: "fresh",
      pairs: p.pairs,
      modesFrom: "labels",
      truth: dataToJson(toyTruth(PLUS_MINUS, toyGrid(PLUS_MINUS, p.truth))),
    };
    return { data: encodeJson(out) };
  }
  let data = await readMultimodalCsv(p.csv);
  if (data.n > p.pairs) {
    const order = new Rng(p.seed ^ 0x5eed).shuffle(Array.from({ length: data.n }, (_, i) => i));
    data = selectRows(data, order.slice(0, p.pairs).sort((a, b) => a - b));
  }
  let modesFrom: ToyData["modesFrom"] = "labels";
  if (!data.mode) {
    const found = findModes(data);
    data = withModes(
      data,
      found.mode,
      Array.from({ length: found.count }, (_, i) => `cluster ${i}`),
    );
    modesFrom = "clustering";
  }
  const out: ToyData = {
    source: p.csv,
    kind: "fixed",
    pairs: data.n,
    modesFrom,
    truth: dataToJson(data),
  };
  return { data: encodeJson(out) };
};
