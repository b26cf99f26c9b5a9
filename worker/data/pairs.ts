/**
 * Training pairs that a data source redraws every epoch (corrupted maps, masked digits,
 * lightness → colour), and row gathering.
 * @module
 */

/** One epoch's pairs: inputs [n, inDim], targets [n, outDim], loss weights [n, outDim] or null. */
export interface Pairs {
  x: Float32Array;
  y: Float32Array;
  w: Float32Array | null;
}

/** Training pairs redrawn every epoch. */
export interface PairSource {
  /** Pairs per epoch. */
  n: number;
  inDim: number;
  outDim: number;
  /** Whether {@link PairSource.draw} returns loss weights. */
  weighted: boolean;
  /** The pairs of epoch `epoch` (0-based), the same for the same epoch. */
  draw(epoch: number): Pairs;
}

/** Rows `rows` of `values` ([N, size]) as one array. */
export function gatherRows(
  values: Float32Array,
  size: number,
  rows: readonly number[],
): Float32Array {
  const out = new Float32Array(rows.length * size);
  rows.forEach((r, i) => out.set(values.subarray(r * size, (r + 1) * size), i * size));
  return out;
}
