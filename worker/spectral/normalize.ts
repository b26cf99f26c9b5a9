/**
 * Shape normalisation (SPECTRAL.md §4.1): move the centroid to the origin, then scale so that
 * the largest radius is ρ = 0.95, which keeps every point inside the unit ball with headroom.
 */
import { isPointList, type Shape } from "./shape.ts";
import { triangleAreas } from "./sample.ts";

/** Target maximum radius after normalisation. */
export const NORMALIZED_RADIUS = 0.95;

/** The similarity x' = (x − center) · scale. */
export interface Normalization {
  center: [number, number, number];
  scale: number;
}

/** Applies a normalisation to xyz-interleaved points (returns a new array). */
export function applyNormalization(points: ArrayLike<number>, t: Normalization): Float64Array {
  const out = new Float64Array(points.length);
  for (let i = 0; i < points.length; i += 3) {
    out[i] = (points[i] - t.center[0]) * t.scale;
    out[i + 1] = (points[i + 1] - t.center[1]) * t.scale;
    out[i + 2] = (points[i + 2] - t.center[2]) * t.scale;
  }
  return out;
}

/**
 * The normalisation of a point cloud: centroid (weighted mean when weights are given) to the
 * origin, max radius to {@link NORMALIZED_RADIUS}.
 */
export function pointNormalization(
  points: ArrayLike<number>,
  weights?: ArrayLike<number>,
): Normalization {
  const count = points.length / 3;
  if (count < 1) throw new RangeError("Cannot normalise: no points");
  let sx = 0, sy = 0, sz = 0, sw = 0;
  for (let i = 0; i < count; i++) {
    const w = weights ? weights[i] : 1;
    sx += w * points[3 * i];
    sy += w * points[3 * i + 1];
    sz += w * points[3 * i + 2];
    sw += w;
  }
  const center: [number, number, number] = [sx / sw, sy / sw, sz / sw];
  return { center, scale: scaleFor(points, center, count) };
}

/**
 * The normalisation of a shape: for a mesh the exact area-weighted surface centroid (what
 * uniform surface sampling converges to) and the largest vertex radius; for a point list the
 * mean and the largest point radius.
 */
export function shapeNormalization(shape: Shape): Normalization {
  if (isPointList(shape)) return pointNormalization(shape.vertices);
  const v = shape.vertices;
  const t = shape.triangles;
  const areas = triangleAreas(shape);
  let sx = 0, sy = 0, sz = 0, sa = 0;
  for (let f = 0; f < areas.length; f++) {
    const a = 3 * t[3 * f], b = 3 * t[3 * f + 1], c = 3 * t[3 * f + 2];
    const w = areas[f] / 3;
    sx += w * (v[a] + v[b] + v[c]);
    sy += w * (v[a + 1] + v[b + 1] + v[c + 1]);
    sz += w * (v[a + 2] + v[b + 2] + v[c + 2]);
    sa += areas[f];
  }
  if (!(sa > 0)) throw new RangeError("Cannot normalise a mesh whose faces all have zero area");
  const center: [number, number, number] = [sx / sa, sy / sa, sz / sa];
  const used = new Float64Array(3 * t.length);
  for (let i = 0; i < t.length; i++) used.set(v.subarray(3 * t[i], 3 * t[i] + 3), 3 * i);
  return { center, scale: scaleFor(used, center, t.length) };
}

/**
 * The normalisation of a closed mesh as a solid: the volume centroid (signed tetrahedra from
 * the origin) and the largest vertex radius. Falls back to {@link shapeNormalization} when the
 * enclosed volume vanishes (open or flat meshes).
 */
export function solidNormalization(shape: Shape): Normalization {
  const surface = shapeNormalization(shape);
  const v = shape.vertices;
  const t = shape.triangles;
  let sx = 0, sy = 0, sz = 0, vol = 0;
  for (let f = 0; f < t.length; f += 3) {
    const a = 3 * t[f], b = 3 * t[f + 1], c = 3 * t[f + 2];
    const d = (v[a] * (v[b + 1] * v[c + 2] - v[b + 2] * v[c + 1]) -
      v[a + 1] * (v[b] * v[c + 2] - v[b + 2] * v[c]) +
      v[a + 2] * (v[b] * v[c + 1] - v[b + 1] * v[c])) / 6;
    vol += d;
    sx += d * (v[a] + v[b] + v[c]) / 4;
    sy += d * (v[a + 1] + v[b + 1] + v[c + 1]) / 4;
    sz += d * (v[a + 2] + v[b + 2] + v[c + 2]) / 4;
  }
  const extent = NORMALIZED_RADIUS / surface.scale;
  if (!(Math.abs(vol) > 1e-9 * extent * extent * extent)) return surface;
  const center: [number, number, number] = [sx / vol, sy / vol, sz / vol];
  const used = new Float64Array(3 * t.length);
  for (let i = 0; i < t.length; i++) used.set(v.subarray(3 * t[i], 3 * t[i] + 3), 3 * i);
  return { center, scale: scaleFor(used, center, t.length) };
}

function scaleFor(points: ArrayLike<number>, c: readonly number[], count: number): number {
  let maxR2 = 0;
  for (let i = 0; i < count; i++) {
    const dx = points[3 * i] - c[0], dy = points[3 * i + 1] - c[1], dz = points[3 * i + 2] - c[2];
    maxR2 = Math.max(maxR2, dx * dx + dy * dy + dz * dz);
  }
  if (!(maxR2 > 0)) throw new RangeError("Cannot normalise: all points coincide");
  return NORMALIZED_RADIUS / Math.sqrt(maxR2);
}
