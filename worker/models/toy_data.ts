/**
 * The data of the toy experiment (paper Sec. 4): the built-in ±4(x, x², x³) curves (drawn
 * fresh every epoch by the trainer; the ground truth is every branch on an even grid of `truth`
 * inputs), or the rows of a CSV of x… / y… columns (a fixed set of at most `pairs` rows, which
 * is also the ground truth; without a "mode" column the modes are found by clustering).
 * @module
 */
import {
  modeShares,
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

/** Toy data (the `toy-data` artifact, decoded). */
export interface ToyDataset {
  /** The CSV path, or a description of the built-in curves. */
  source: string;
  /** "fresh": the built-in curves, `pairs` new pairs per epoch; "fixed": the CSV's rows. */
  kind: "fresh" | "fixed";
  pairs: number;
  modesFrom: "labels" | "clustering";
  /** Ground truth of the metrics (and the training rows when fixed). */
  truth: MultimodalData;
}

/** Settings of {@link toyDataset}. */
export interface ToyDataOptions {
  /** A CSV file; empty = the built-in curves. */
  csv: string;
  /** Pairs per epoch (built-in curves) or most rows kept (CSV, chosen by the seed). */
  pairs: number;
  /** Inputs of the built-in curves' ground truth. */
  truth: number;
  seed: number;
}

/** The built-in curves or a CSV's rows (read, subsampled, modes labelled or clustered). */
export async function toyDataset(o: ToyDataOptions): Promise<ToyDataset> {
  if (o.csv === "") {
    return {
      source: `built-in ${PLUS_MINUS.name}: y = ±4(x, x², x³)`,
      kind: "fresh",
      pairs: o.pairs,
      modesFrom: "labels",
      truth: toyTruth(PLUS_MINUS, toyGrid(PLUS_MINUS, o.truth)),
    };
  }
  let data = await readMultimodalCsv(o.csv);
  if (data.n > o.pairs) {
    const order = new Rng(o.seed ^ 0x5eed).shuffle(Array.from({ length: data.n }, (_, i) => i));
    data = selectRows(data, order.slice(0, o.pairs).sort((a, b) => a - b));
  }
  let modesFrom: ToyDataset["modesFrom"] = "labels";
  if (!data.mode) {
    const found = findModes(data);
    data = withModes(
      data,
      found.mode,
      Array.from({ length: found.count }, (_, i) => `cluster ${i}`),
    );
    modesFrom = "clustering";
  }
  return { source: o.csv, kind: "fixed", pairs: data.n, modesFrom, truth: data };
}

/**
 * The evaluated inputs: an even grid of `count` inputs (built-in curves) or `count` rows of the
 * ground truth chosen by the seed (CSV).
 */
export function toyInputs(data: ToyDataset, count: number, seed: number): Float32Array {
  if (data.kind === "fresh") return toyGrid(PLUS_MINUS, count);
  const truth = data.truth;
  const order = new Rng(seed ^ 0x5eed).shuffle(Array.from({ length: truth.n }, (_, i) => i));
  const picked = order.slice(0, Math.min(count, truth.n)).sort((a, b) => a - b);
  const inputs = new Float32Array(picked.length * truth.inDim);
  picked.forEach((r, i) =>
    inputs.set(truth.x.subarray(r * truth.inDim, (r + 1) * truth.inDim), i * truth.inDim)
  );
  return inputs;
}

/** How the data looks: kind, rows (0 for fresh curves), modes and their shares. */
export function toyDataSummary(data: ToyDataset): {
  kind: "fresh" | "fixed";
  rows: number;
  modes: string[];
  modeShares: Record<string, number>;
} {
  const shares = data.kind === "fresh"
    ? data.truth.modeNames.map(() => 1 / data.truth.modeNames.length)
    : modeShares(data.truth);
  return {
    kind: data.kind,
    rows: data.kind === "fresh" ? 0 : data.truth.n,
    modes: [...data.truth.modeNames],
    modeShares: Object.fromEntries(data.truth.modeNames.map((n, i) => [n, shares[i]])),
  };
}
