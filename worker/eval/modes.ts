/**
 * Finding the modes of a ground-truth sample that has no `mode` labels.
 *
 * The modes are the connected branches of the sample: every column (inputs and outputs) is
 * standardised to zero mean and unit variance, two points are linked when their Euclidean
 * distance in this joint (x, y) space is at most ε, and each connected component of the linked
 * graph (single-linkage clustering) is one mode. ε defaults to 3 × the 95th percentile of the
 * distance from a point to its 4th nearest neighbour (estimated on up to 512 points), which
 * bridges the gaps along a sampled curve but not the gaps between separate curves. Components
 * with fewer than max(5, 0.5 % of the points) points are noise: their points join the mode of
 * their nearest point in a large component. Branches that touch or cross (like ±4(x, x², x³)
 * at x = 0) form one connected set and so one mode; label such data with a `mode` column.
 * @module
 */
import type { MultimodalData } from "../data/mod.ts";

/** Options of {@link findModes}. */
export interface FindModesOptions {
  /** Link distance ε in standardised units; default: estimated from the data (see module doc). */
  linkDistance?: number;
  /** Smallest component kept as a mode; default max(5, 0.5 % of the points). */
  minSize?: number;
}

/** Result of {@link findModes}. */
export interface FoundModes {
  /** Mode index per row, modes numbered by decreasing size. */
  mode: Int32Array;
  /** Number of modes. */
  count: number;
  /** The link distance used. */
  linkDistance: number;
}

function standardise(data: MultimodalData): { points: Float64Array; dim: number } {
  const dim = data.inDim + data.outDim;
  const points = new Float64Array(data.n * dim);
  for (let i = 0; i < data.n; i++) {
    for (let j = 0; j < data.inDim; j++) points[i * dim + j] = data.x[i * data.inDim + j];
    for (let j = 0; j < data.outDim; j++) {
      points[i * dim + data.inDim + j] = data.y[i * data.outDim + j];
    }
  }
  for (let j = 0; j < dim; j++) {
    let mean = 0;
    for (let i = 0; i < data.n; i++) mean += points[i * dim + j] / data.n;
    let variance = 0;
    for (let i = 0; i < data.n; i++) variance += (points[i * dim + j] - mean) ** 2 / data.n;
    const scale = variance > 0 ? 1 / Math.sqrt(variance) : 1;
    for (let i = 0; i < data.n; i++) points[i * dim + j] = (points[i * dim + j] - mean) * scale;
  }
  return { points, dim };
}

function distance(p: Float64Array, i: number, j: number, dim: number): number {
  let s = 0;
  for (let c = 0; c < dim; c++) {
    const d = p[i * dim + c] - p[j * dim + c];
    s += d * d;
  }
  return Math.sqrt(s);
}

function estimateLinkDistance(points: Float64Array, n: number, dim: number): number {
  const K = 4;
  const queries = Math.min(n, 512);
  const kth: number[] = [];
  for (let q = 0; q < queries; q++) {
    const i = Math.floor(q * n / queries);
    const best = new Array<number>(K).fill(Infinity);
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const d = distance(points, i, j, dim);
      if (d < best[K - 1]) {
        let k = K - 1;
        while (k > 0 && best[k - 1] > d) {
          best[k] = best[k - 1];
          k--;
        }
        best[k] = d;
      }
    }
    if (Number.isFinite(best[K - 1])) kth.push(best[K - 1]);
  }
  if (kth.length === 0) return 1;
  kth.sort((a, b) => a - b);
  return 3 * kth[Math.min(kth.length - 1, Math.floor(0.95 * kth.length))];
}

function find(parent: Int32Array, i: number): number {
  while (parent[i] !== i) {
    parent[i] = parent[parent[i]];
    i = parent[i];
  }
  return i;
}

/** Labels each row with its connected branch (see the module doc for the method). */
export function findModes(data: MultimodalData, opts: FindModesOptions = {}): FoundModes {
  const n = data.n;
  if (n === 0) return { mode: new Int32Array(0), count: 0, linkDistance: 0 };
  const { points, dim } = standardise(data);
  const eps = opts.linkDistance ?? estimateLinkDistance(points, n, dim);
  if (!(eps > 0)) throw new RangeError(`Cannot find modes: link distance ${eps} must be positive`);
  const order = Array.from({ length: n }, (_, i) => i)
    .sort((a, b) => points[a * dim] - points[b * dim]);
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  for (let a = 0; a < n; a++) {
    const i = order[a];
    for (let b = a + 1; b < n; b++) {
      const j = order[b];
      if (points[j * dim] - points[i * dim] > eps) break;
      if (distance(points, i, j, dim) <= eps) {
        const ri = find(parent, i);
        const rj = find(parent, j);
        if (ri !== rj) parent[ri] = rj;
      }
    }
  }
  const sizes = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const r = find(parent, i);
    sizes.set(r, (sizes.get(r) ?? 0) + 1);
  }
  const minSize = opts.minSize ?? Math.max(5, Math.ceil(0.005 * n));
  const kept = [...sizes].filter(([, s]) => s >= minSize).sort((a, b) => b[1] - a[1]);
  const roots = kept.length > 0 ? kept : [...sizes].sort((a, b) => b[1] - a[1]).slice(0, 1);
  const label = new Map(roots.map(([r], k) => [r, k]));
  const mode = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) mode[i] = label.get(find(parent, i)) ?? -1;
  for (let i = 0; i < n; i++) {
    if (mode[i] >= 0) continue;
    let best = Infinity;
    let bestMode = 0;
    for (let j = 0; j < n; j++) {
      if (label.has(find(parent, j))) {
        const d = distance(points, i, j, dim);
        if (d < best) {
          best = d;
          bestMode = label.get(find(parent, j))!;
        }
      }
    }
    mode[i] = bestMode;
  }
  return { mode, count: roots.length, linkDistance: eps };
}
