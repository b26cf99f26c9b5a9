/**
 * Driscoll–Healy grid without poles (Kostelec–Rockmore), its quadrature weights, and the
 * forward (quadrature) and inverse real spherical-harmonic transforms (SPECTRAL.md §6.2).
 *
 * Grid of bandwidth B: 2B × 2B cells, ring-major (cell = j·2B + k),
 * θ_j = π(2j+1)/(4B), φ_k = 2πk/(2B),
 * w_j = (2/B) sin θ_j Σ_{i<B} sin((2i+1)θ_j)/(2i+1).
 * The forward transform is exact for a band limit L_f when L + L_f < 2B, hence the 2×
 * oversampled grid B = 2(L+1) used for extent functions.
 */
import { checkOrder, legendreIndex, shCount } from "./indexing.ts";
import { direction, evalLegendre, evalShAt } from "./sh.ts";

/** A DH grid's rings, columns and weights. */
export interface DhGrid {
  bandwidth: number;
  /** 2B. */
  size: number;
  theta: Float64Array;
  cosTheta: Float64Array;
  sinTheta: Float64Array;
  cosPhi: Float64Array;
  sinPhi: Float64Array;
  /** w_j, summing to 2. */
  weights: Float64Array;
}

const grids = new Map<number, DhGrid>();

/** The (cached) DH grid of bandwidth `bandwidth` (1 ≤ B ≤ 512). */
export function dhGrid(bandwidth: number): DhGrid {
  if (!Number.isInteger(bandwidth) || bandwidth < 1 || bandwidth > 512) {
    throw new RangeError(`Cannot build a DH grid of bandwidth ${bandwidth}: expected 1..512`);
  }
  const hit = grids.get(bandwidth);
  if (hit) return hit;
  const n = 2 * bandwidth;
  const theta = new Float64Array(n);
  const cosTheta = new Float64Array(n);
  const sinTheta = new Float64Array(n);
  const weights = new Float64Array(n);
  const cosPhi = new Float64Array(n);
  const sinPhi = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const t = (Math.PI * (2 * j + 1)) / (4 * bandwidth);
    theta[j] = t;
    cosTheta[j] = Math.cos(t);
    sinTheta[j] = Math.sin(t);
    let s = 0;
    for (let i = 0; i < bandwidth; i++) s += Math.sin((2 * i + 1) * t) / (2 * i + 1);
    weights[j] = (2 / bandwidth) * Math.sin(t) * s;
    cosPhi[j] = Math.cos((2 * Math.PI * j) / n);
    sinPhi[j] = Math.sin((2 * Math.PI * j) / n);
  }
  const grid = { bandwidth, size: n, theta, cosTheta, sinTheta, cosPhi, sinPhi, weights };
  grids.set(bandwidth, grid);
  return grid;
}

/** The grid bandwidth used for degree `degree`: 2× oversampled, B = 2(L+1). */
export function oversampledBandwidth(degree: number): number {
  checkOrder(degree, "spherical-harmonic degree");
  return 2 * (degree + 1);
}

/** Unit directions of every grid cell, xyz interleaved, ring-major. */
export function gridDirections(grid: DhGrid): Float64Array {
  const n = grid.size;
  const out = new Float64Array(3 * n * n);
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < n; k++) {
      const c = 3 * (j * n + k);
      out[c] = grid.sinTheta[j] * grid.cosPhi[k];
      out[c + 1] = grid.sinTheta[j] * grid.sinPhi[k];
      out[c + 2] = grid.cosTheta[j];
    }
  }
  return out;
}

/**
 * Projection table of the forward transform: T[j, legendreIndex(l, m)] =
 * w_j · (2π/2B) · P̄_l^m(cos θ_j) · (√2 when m > 0). Cached per (B, L).
 */
export function projectionTable(bandwidth: number, degree: number): Float64Array {
  const key = `${bandwidth}:${degree}`;
  const hit = projections.get(key);
  if (hit) return hit;
  const grid = dhGrid(bandwidth);
  const tri = ((degree + 1) * (degree + 2)) / 2;
  const out = new Float64Array(grid.size * tri);
  const leg = new Float64Array(tri);
  const dphi = (2 * Math.PI) / grid.size;
  for (let j = 0; j < grid.size; j++) {
    evalLegendre(grid.cosTheta[j], grid.sinTheta[j], degree, leg);
    const wj = grid.weights[j] * dphi;
    for (let m = 0; m <= degree; m++) {
      const f = m === 0 ? wj : wj * Math.SQRT2;
      for (let l = m; l <= degree; l++) {
        const i = legendreIndex(l, m);
        out[j * tri + i] = f * leg[i];
      }
    }
  }
  projections.set(key, out);
  return out;
}

const projections = new Map<string, Float64Array>();

/**
 * Forward transform by DH quadrature: c_lm = Σ_j Σ_k w_j (2π/2B) f(θ_j, φ_k) Y_lm(θ_j, φ_k),
 * for l ≤ degree. `values` is ring-major (2B)². Cost O(B²L + BL²) via per-ring Fourier sums.
 */
export function shForward(
  values: ArrayLike<number>,
  bandwidth: number,
  degree: number,
): Float64Array {
  const grid = dhGrid(bandwidth);
  const n = grid.size;
  if (values.length !== n * n) {
    throw new RangeError(
      `Cannot transform ${values.length} samples: a bandwidth-${bandwidth} grid has ${n * n}`,
    );
  }
  if (degree >= 2 * bandwidth) {
    throw new RangeError(`Cannot resolve degree ${degree} on a bandwidth-${bandwidth} grid`);
  }
  const tri = ((degree + 1) * (degree + 2)) / 2;
  const table = projectionTable(bandwidth, degree);
  const out = new Float64Array(shCount(degree));
  const a = new Float64Array(degree + 1);
  const b = new Float64Array(degree + 1);
  for (let j = 0; j < n; j++) {
    ringFourier(values, j * n, n, degree, grid, a, b);
    const row = j * tri;
    for (let m = 0; m <= degree; m++) {
      for (let l = m; l <= degree; l++) {
        const t = table[row + legendreIndex(l, m)];
        out[l * l + l + m] += t * a[m];
        if (m > 0) out[l * l + l - m] += t * b[m];
      }
    }
  }
  return out;
}

/** a_m = Σ_k f_k cos(mφ_k), b_m = Σ_k f_k sin(mφ_k) for one ring (exact angle reduction). */
function ringFourier(
  values: ArrayLike<number>,
  offset: number,
  n: number,
  degree: number,
  grid: DhGrid,
  a: Float64Array,
  b: Float64Array,
): void {
  for (let m = 0; m <= degree; m++) {
    let sa = 0;
    let sb = 0;
    let idx = 0;
    for (let k = 0; k < n; k++) {
      const f = values[offset + k];
      sa += f * grid.cosPhi[idx];
      sb += f * grid.sinPhi[idx];
      idx += m;
      if (idx >= n) idx -= n;
    }
    a[m] = sa;
    b[m] = sb;
  }
}

/** Inverse transform: f(u) = Σ_{l ≤ degree} Σ_m c_lm Y_lm(u) at unit directions (xyz interleaved). */
export function shInverse(
  coefficients: ArrayLike<number>,
  degree: number,
  directions: ArrayLike<number>,
): Float64Array {
  if (coefficients.length < shCount(degree)) {
    throw new RangeError(
      `Cannot evaluate degree ${degree}: need ${
        shCount(degree)
      } coefficients, got ${coefficients.length}`,
    );
  }
  const count = directions.length / 3;
  const out = new Float64Array(count);
  const y = new Float64Array(shCount(degree));
  const leg = new Float64Array(((degree + 1) * (degree + 2)) / 2);
  for (let i = 0; i < count; i++) {
    const d = direction(directions[3 * i], directions[3 * i + 1], directions[3 * i + 2]);
    evalShAt(d, degree, y, leg);
    let f = 0;
    for (let c = 0; c < y.length; c++) f += coefficients[c] * y[c];
    out[i] = f;
  }
  return out;
}
