/**
 * 3D Zernike moments, float64 CPU reference (SPECTRAL.md §2, §4):
 * Z_nlm(x) = R_nl(‖x‖) · Y_lm(x̂), orthonormal on the unit ball; Ω_nlm = ∫ f Z_nlm dV and
 * f = Σ Ω_nlm Z_nlm. A point set with weights w_i stands for f = Σ w_i δ(x − p_i).
 */
import { radialCount, radialIndex, shCount, zernikeCount } from "./indexing.ts";
import { evalRadial } from "./radial.ts";
import { direction, evalShAt } from "./sh.ts";

/** Scratch buffers for evaluating the basis at one point. */
class Scratch {
  readonly radial: Float64Array;
  readonly sh: Float64Array;
  readonly legendre: Float64Array;
  constructor(readonly order: number) {
    this.radial = new Float64Array(radialCount(order));
    this.sh = new Float64Array(shCount(order));
    this.legendre = new Float64Array(((order + 1) * (order + 2)) / 2);
  }
  /** Fills the radial and SH tables at (x, y, z). */
  at(x: number, y: number, z: number): void {
    const d = direction(x, y, z);
    evalRadial(d.r, this.order, this.radial);
    evalShAt(d, this.order, this.sh, this.legendre);
  }
}

/** Calls `fn(base, radialIdx, l)` for every (n, l) block; the block holds m = −l..l at base+m. */
function forEachBlock(order: number, fn: (base: number, ri: number, l: number) => void): void {
  for (let n = 0; n <= order; n++) {
    const t = (n * (n + 1) * (n + 2)) / 6;
    for (let l = n % 2; l <= n; l += 2) fn(t + (l * (l + 1)) / 2, radialIndex(n, l), l);
  }
}

/** Every Z_nlm(x), n ≤ order, in canonical order. */
export function zernikeBasis(x: number, y: number, z: number, order: number): Float64Array {
  const s = new Scratch(order);
  s.at(x, y, z);
  const out = new Float64Array(zernikeCount(order));
  forEachBlock(order, (base, ri, l) => {
    const r = s.radial[ri];
    for (let m = -l; m <= l; m++) out[base + m] = r * s.sh[l * l + l + m];
  });
  return out;
}

/**
 * Moments Ω = Σ_i w_i Z(p_i) of weighted points (xyz interleaved). Weights default to 1/M,
 * i.e. the point cloud as a unit-mass surface density. Points must lie in the unit ball
 * (normalise first): outside it the polynomials grow fast (SPECTRAL.md §8, pitfall 8).
 */
export function zernikeMoments(
  points: ArrayLike<number>,
  order: number,
  weights?: ArrayLike<number>,
): Float64Array {
  const count = points.length / 3;
  if (!Number.isInteger(count)) {
    throw new RangeError(`Cannot compute moments: ${points.length} coordinates is not 3·M`);
  }
  if (weights && weights.length !== count) {
    throw new RangeError(`Cannot compute moments: ${weights.length} weights for ${count} points`);
  }
  checkInBall(points);
  const out = new Float64Array(zernikeCount(order));
  const s = new Scratch(order);
  const blocks: number[] = [];
  forEachBlock(order, (base, ri, l) => blocks.push(base, ri, l));
  for (let i = 0; i < count; i++) {
    const w = weights ? weights[i] : 1 / count;
    if (w === 0) continue;
    s.at(points[3 * i], points[3 * i + 1], points[3 * i + 2]);
    const rad = s.radial;
    const sh = s.sh;
    for (let b = 0; b < blocks.length; b += 3) {
      const base = blocks[b];
      const l = blocks[b + 2];
      const wr = w * rad[blocks[b + 1]];
      const yb = l * l + l;
      for (let m = -l; m <= l; m++) out[base + m] += wr * sh[yb + m];
    }
  }
  return out;
}

/**
 * Evaluates f(x) = Σ_c Ω_c Z_c(x) at query points (xyz interleaved). Points with ‖x‖ > 1 get 0
 * (the expansion is defined on the unit ball only).
 */
export function zernikeDensity(
  coefficients: ArrayLike<number>,
  order: number,
  queries: ArrayLike<number>,
): Float64Array {
  if (coefficients.length < zernikeCount(order)) {
    throw new RangeError(
      `Cannot evaluate order ${order}: need ${
        zernikeCount(order)
      } coefficients, got ${coefficients.length}`,
    );
  }
  const count = queries.length / 3;
  const out = new Float64Array(count);
  const s = new Scratch(order);
  const blocks: number[] = [];
  forEachBlock(order, (base, ri, l) => blocks.push(base, ri, l));
  for (let i = 0; i < count; i++) {
    const x = queries[3 * i];
    const y = queries[3 * i + 1];
    const z = queries[3 * i + 2];
    if (x * x + y * y + z * z > 1) continue;
    s.at(x, y, z);
    let f = 0;
    for (let b = 0; b < blocks.length; b += 3) {
      const base = blocks[b];
      const l = blocks[b + 2];
      const yb = l * l + l;
      let acc = 0;
      for (let m = -l; m <= l; m++) acc += coefficients[base + m] * s.sh[yb + m];
      f += acc * s.radial[blocks[b + 1]];
    }
    out[i] = f;
  }
  return out;
}

/** Throws a RangeError naming the first point with ‖p‖ > 1 (beyond rounding). */
export function checkInBall(points: ArrayLike<number>): void {
  for (let i = 0; i < points.length; i += 3) {
    const r2 = points[i] ** 2 + points[i + 1] ** 2 + points[i + 2] ** 2;
    if (!(r2 <= 1 + 1e-9)) {
      throw new RangeError(
        `Cannot compute moments: point ${i / 3} lies outside the unit ball (r = ${
          Math.sqrt(r2)
        }); normalise first`,
      );
    }
  }
}
