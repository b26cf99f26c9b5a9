/**
 * Multimodal regression data: inputs x, outputs y, and optionally the true mode of each row.
 * @module
 */

/** A set of (x, y) rows, stored row-major, with an optional integer mode label per row. */
export interface MultimodalData {
  /** Number of rows. */
  readonly n: number;
  /** Input dimension. */
  readonly inDim: number;
  /** Output dimension. */
  readonly outDim: number;
  /** Inputs, `n × inDim`. */
  readonly x: Float32Array;
  /** Outputs, `n × outDim`. */
  readonly y: Float32Array;
  /** Dense mode index per row (0 … modeNames.length − 1), or null when unknown. */
  readonly mode: Int32Array | null;
  /** Display name of each mode (e.g. the label found in a CSV file). */
  readonly modeNames: readonly string[];
  /** Column names of the inputs. */
  readonly xNames: readonly string[];
  /** Column names of the outputs. */
  readonly yNames: readonly string[];
}

/** Default column names `x` (or `x1…`) and `y1…`. */
export function defaultNames(prefix: string, count: number): string[] {
  if (count === 1 && prefix === "x") return ["x"];
  return Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
}

/** The rows at `indices`, in that order (labels and names kept). */
export function selectRows(data: MultimodalData, indices: ArrayLike<number>): MultimodalData {
  const m = indices.length;
  const x = new Float32Array(m * data.inDim);
  const y = new Float32Array(m * data.outDim);
  const mode = data.mode ? new Int32Array(m) : null;
  for (let i = 0; i < m; i++) {
    const r = indices[i];
    if (!Number.isInteger(r) || r < 0 || r >= data.n) {
      throw new RangeError(`Cannot select row ${r}: the data has ${data.n} rows`);
    }
    x.set(data.x.subarray(r * data.inDim, (r + 1) * data.inDim), i * data.inDim);
    y.set(data.y.subarray(r * data.outDim, (r + 1) * data.outDim), i * data.outDim);
    if (mode) mode[i] = data.mode![r];
  }
  return { ...data, n: m, x, y, mode };
}

/** The data with its mode labels replaced (e.g. by modes found by clustering). */
export function withModes(
  data: MultimodalData,
  mode: Int32Array,
  modeNames: readonly string[],
): MultimodalData {
  if (mode.length !== data.n) {
    throw new RangeError(`Cannot attach ${mode.length} mode labels to ${data.n} rows`);
  }
  return { ...data, mode, modeNames };
}

/** Share of rows per mode (zeros when the data has no labels). */
export function modeShares(data: MultimodalData): number[] {
  const shares = new Array<number>(data.modeNames.length).fill(0);
  if (!data.mode || data.n === 0) return shares;
  for (const m of data.mode) shares[m] += 1 / data.n;
  return shares;
}
