/**
 * Seeded, area-weighted uniform sampling of triangle meshes and resampling of point lists.
 */
import { Rng } from "../lib/mod.ts";
import { isPointList, type Shape, triangleCount, vertexCount } from "./shape.ts";

/** Areas of every triangle. */
export function triangleAreas(shape: Shape): Float64Array {
  const v = shape.vertices;
  const t = shape.triangles;
  const out = new Float64Array(triangleCount(shape));
  for (let f = 0; f < out.length; f++) {
    const a = 3 * t[3 * f], b = 3 * t[3 * f + 1], c = 3 * t[3 * f + 2];
    const ux = v[b] - v[a], uy = v[b + 1] - v[a + 1], uz = v[b + 2] - v[a + 2];
    const wx = v[c] - v[a], wy = v[c + 1] - v[a + 1], wz = v[c + 2] - v[a + 2];
    const nx = uy * wz - uz * wy, ny = uz * wx - ux * wz, nz = ux * wy - uy * wx;
    out[f] = 0.5 * Math.sqrt(nx * nx + ny * ny + nz * nz);
  }
  return out;
}

/**
 * `count` points uniformly distributed over the surface (triangle chosen with probability
 * proportional to its area, then a uniform barycentric point), xyz interleaved.
 */
export function sampleSurface(shape: Shape, count: number, seed = 0): Float64Array {
  checkCount(count);
  if (isPointList(shape)) throw new RangeError("Cannot sample a surface: the shape has no faces");
  const areas = triangleAreas(shape);
  const cdf = new Float64Array(areas.length);
  let total = 0;
  for (let i = 0; i < areas.length; i++) cdf[i] = total += areas[i];
  if (!(total > 0)) throw new RangeError("Cannot sample a surface: every face has zero area");
  const rng = new Rng(seed);
  const v = shape.vertices;
  const t = shape.triangles;
  const out = new Float64Array(3 * count);
  for (let i = 0; i < count; i++) {
    const f = upperBound(cdf, rng.next() * total);
    let u = rng.next();
    let w = rng.next();
    if (u + w > 1) {
      u = 1 - u;
      w = 1 - w;
    }
    const a = 3 * t[3 * f], b = 3 * t[3 * f + 1], c = 3 * t[3 * f + 2];
    for (let d = 0; d < 3; d++) {
      out[3 * i + d] = v[a + d] + u * (v[b + d] - v[a + d]) + w * (v[c + d] - v[a + d]);
    }
  }
  return out;
}

/**
 * `count` points drawn from a point list: a seeded subset without replacement when there
 * are enough points, otherwise every point plus seeded repeats.
 */
export function resamplePoints(points: Float64Array, count: number, seed = 0): Float64Array {
  checkCount(count);
  const have = points.length / 3;
  if (have === 0) throw new RangeError("Cannot resample: the point list is empty");
  const rng = new Rng(seed);
  const order = Array.from({ length: have }, (_, i) => i);
  rng.shuffle(order);
  const out = new Float64Array(3 * count);
  for (let i = 0; i < count; i++) {
    const src = i < have ? order[i] : rng.int(have);
    out.set(points.subarray(3 * src, 3 * src + 3), 3 * i);
  }
  return out;
}

/**
 * The points a shape stands for: `count` surface samples of a mesh (default 2048), or the
 * given points of a point list (resampled only when `count` is given).
 */
export function shapePoints(shape: Shape, count?: number, seed = 0): Float64Array {
  if (isPointList(shape)) {
    return count === undefined
      ? shape.vertices.slice()
      : resamplePoints(shape.vertices, count, seed);
  }
  if (vertexCount(shape) === 0) throw new RangeError("Cannot sample: the shape has no vertices");
  return sampleSurface(shape, count ?? 2048, seed);
}

function upperBound(cdf: Float64Array, x: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 1 || count > 1 << 24) {
    throw new RangeError(`Cannot sample ${count} points: expected an integer in [1, 16777216]`);
  }
}
