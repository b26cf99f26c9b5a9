/**
 * Shape comparison metrics (SPECTRAL.md §5.2). Voxel IoU lives in voxel.ts; here the Chamfer
 * distance, Euclidean (not squared), symmetric and averaged:
 * CD(P, Q) = mean_p min_q ‖p − q‖ + mean_q min_p ‖q − p‖.
 */

/** Symmetric Euclidean Chamfer distance between two xyz-interleaved point sets. */
export function chamferDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length === 0 || q.length === 0) {
    throw new RangeError("Cannot compute a Chamfer distance with an empty set");
  }
  return meanNearest(p, new PointIndex(q)) + meanNearest(q, new PointIndex(p));
}

function meanNearest(from: ArrayLike<number>, to: PointIndex): number {
  let s = 0;
  const n = from.length / 3;
  for (let i = 0; i < n; i++) s += to.nearest(from[3 * i], from[3 * i + 1], from[3 * i + 2]);
  return s / n;
}

/** A uniform-grid index for nearest-neighbour queries. */
class PointIndex {
  readonly #pts: ArrayLike<number>;
  readonly #res: number;
  readonly #lo: number[];
  readonly #cell: number;
  readonly #start: Uint32Array;
  readonly #items: Uint32Array;

  constructor(points: ArrayLike<number>) {
    this.#pts = points;
    const n = points.length / 3;
    const lo = [Infinity, Infinity, Infinity];
    const hi = [-Infinity, -Infinity, -Infinity];
    for (let i = 0; i < n; i++) {
      for (let d = 0; d < 3; d++) {
        lo[d] = Math.min(lo[d], points[3 * i + d]);
        hi[d] = Math.max(hi[d], points[3 * i + d]);
      }
    }
    const extent = Math.max(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2], 1e-9);
    this.#res = Math.max(1, Math.min(64, Math.round(Math.cbrt(n / 2))));
    this.#cell = extent / this.#res;
    this.#lo = lo;
    const r = this.#res;
    const keys = new Uint32Array(n);
    const start = new Uint32Array(r * r * r + 1);
    for (let i = 0; i < n; i++) {
      keys[i] = this.#key(
        this.#coord(points[3 * i], 0),
        this.#coord(points[3 * i + 1], 1),
        this.#coord(points[3 * i + 2], 2),
      );
      start[keys[i] + 1]++;
    }
    for (let c = 0; c < r * r * r; c++) start[c + 1] += start[c];
    const fill = start.slice(0, r * r * r);
    const items = new Uint32Array(n);
    for (let i = 0; i < n; i++) items[fill[keys[i]]++] = i;
    this.#start = start;
    this.#items = items;
  }

  /** Distance from (x, y, z) to the nearest indexed point. */
  nearest(x: number, y: number, z: number): number {
    const r = this.#res;
    const ci = this.#coord(x, 0), cj = this.#coord(y, 1), ck = this.#coord(z, 2);
    let best = Infinity;
    for (let ring = 0; ring <= r; ring++) {
      // Every point in shells beyond `ring` is at least (ring − 1)·cell away along one axis
      // from the clamped query cell, after accounting for the query's own offset.
      if (best < (ring - 1) * this.#cell - this.#outside(x, y, z)) break;
      for (let k = ck - ring; k <= ck + ring; k++) {
        if (k < 0 || k >= r) continue;
        for (let j = cj - ring; j <= cj + ring; j++) {
          if (j < 0 || j >= r) continue;
          for (let i = ci - ring; i <= ci + ring; i++) {
            if (i < 0 || i >= r) continue;
            if (Math.max(Math.abs(i - ci), Math.abs(j - cj), Math.abs(k - ck)) !== ring) continue;
            const c = this.#key(i, j, k);
            for (let s = this.#start[c]; s < this.#start[c + 1]; s++) {
              const p = 3 * this.#items[s];
              const d = Math.hypot(this.#pts[p] - x, this.#pts[p + 1] - y, this.#pts[p + 2] - z);
              if (d < best) best = d;
            }
          }
        }
      }
    }
    return best;
  }

  /** How far the query lies outside the indexed box (0 inside). */
  #outside(x: number, y: number, z: number): number {
    const hi = (d: number) => this.#lo[d] + this.#res * this.#cell;
    const out = (v: number, d: number) => Math.max(0, this.#lo[d] - v, v - hi(d));
    return Math.max(out(x, 0), out(y, 1), out(z, 2));
  }

  #coord(v: number, d: number): number {
    return Math.max(0, Math.min(this.#res - 1, Math.floor((v - this.#lo[d]) / this.#cell)));
  }

  #key(i: number, j: number, k: number): number {
    return (k * this.#res + j) * this.#res + i;
  }
}
