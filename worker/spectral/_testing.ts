/**
 * Test support: Gauss–Legendre rules and product quadratures on the ball and the sphere that
 * integrate polynomials exactly, plus random rotations.
 */
import { Rng } from "../lib/mod.ts";

/** Nodes and weights of the n-point Gauss–Legendre rule on [a, b]. */
export function gaussLegendre(
  n: number,
  a = -1,
  b = 1,
): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 1;
    for (let it = 0; it < 100; it++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      const pn = n === 1 ? x : p1;
      const pm = n === 1 ? 1 : p0;
      dp = (n * (x * pn - pm)) / (x * x - 1);
      const dx = pn / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    nodes[i] = 0.5 * (b - a) * x + 0.5 * (b + a);
    weights[i] = (b - a) / ((1 - x * x) * dp * dp);
  }
  return { nodes, weights };
}

/** Points and weights (xyz interleaved) of a product rule exact on the ball r ≤ radius for degree ≤ 2N. */
export function ballQuadrature(
  order: number,
  radius = 1,
): { points: Float64Array; weights: Float64Array } {
  const rad = gaussLegendre(order + 2, 0, radius);
  const sph = sphereQuadrature(order);
  const count = rad.nodes.length * sph.weights.length;
  const points = new Float64Array(3 * count);
  const weights = new Float64Array(count);
  let i = 0;
  for (let a = 0; a < rad.nodes.length; a++) {
    const r = rad.nodes[a];
    for (let b = 0; b < sph.weights.length; b++, i++) {
      points[3 * i] = r * sph.points[3 * b];
      points[3 * i + 1] = r * sph.points[3 * b + 1];
      points[3 * i + 2] = r * sph.points[3 * b + 2];
      weights[i] = rad.weights[a] * r * r * sph.weights[b];
    }
  }
  return { points, weights };
}

/** Unit directions and weights of GL(N+1) in cos θ × trapezoid(2N+1) in φ (exact to degree 2N). */
export function sphereQuadrature(order: number): { points: Float64Array; weights: Float64Array } {
  const gl = gaussLegendre(order + 1);
  const nphi = 2 * order + 1;
  const count = gl.nodes.length * nphi;
  const points = new Float64Array(3 * count);
  const weights = new Float64Array(count);
  let i = 0;
  for (let a = 0; a < gl.nodes.length; a++) {
    const t = gl.nodes[a];
    const s = Math.sqrt(1 - t * t);
    for (let k = 0; k < nphi; k++, i++) {
      const phi = (2 * Math.PI * (k + 0.25)) / nphi;
      points[3 * i] = s * Math.cos(phi);
      points[3 * i + 1] = s * Math.sin(phi);
      points[3 * i + 2] = t;
      weights[i] = (gl.weights[a] * 2 * Math.PI) / nphi;
    }
  }
  return { points, weights };
}

/** A uniformly random rotation matrix (row-major 3×3) from a seeded quaternion. */
export function randomRotation(seed: number): Float64Array {
  const rng = new Rng(seed);
  let q = [rng.normal(), rng.normal(), rng.normal(), rng.normal()];
  const n = Math.hypot(...q);
  q = q.map((v) => v / n);
  const [w, x, y, z] = q;
  return Float64Array.from([
    1 - 2 * (y * y + z * z),
    2 * (x * y - w * z),
    2 * (x * z + w * y),
    2 * (x * y + w * z),
    1 - 2 * (x * x + z * z),
    2 * (y * z - w * x),
    2 * (x * z - w * y),
    2 * (y * z + w * x),
    1 - 2 * (x * x + y * y),
  ]);
}

/** Applies a row-major 3×3 matrix to xyz-interleaved points. */
export function transformPoints(points: ArrayLike<number>, m: ArrayLike<number>): Float64Array {
  const out = new Float64Array(points.length);
  for (let i = 0; i < points.length; i += 3) {
    const x = points[i], y = points[i + 1], z = points[i + 2];
    out[i] = m[0] * x + m[1] * y + m[2] * z;
    out[i + 1] = m[3] * x + m[4] * y + m[5] * z;
    out[i + 2] = m[6] * x + m[7] * y + m[8] * z;
  }
  return out;
}
