/**
 * The extent function ρ(u) = largest radius of the surface along the ray from the origin in
 * direction u (0 where the ray misses), sampled on a DH grid (SPECTRAL.md §6.3):
 * from a point cloud by the cap-max estimator, from a mesh by exact ray casting.
 */
import { type DhGrid, dhGrid } from "./dh.ts";
import type { Shape } from "./shape.ts";

/** Default cap half-angle for M points: 0.6·√(4π/M) (≈ 2.7° for M = 2048). */
export function defaultCapAngle(pointCount: number): number {
  return 0.6 * Math.sqrt((4 * Math.PI) / Math.max(1, pointCount));
}

/**
 * Calls `fn(cell)` for every grid cell whose direction u satisfies u·c ≥ cos δ − slack,
 * where c = (cx, cy, cz) is a unit vector. Rings and columns are bounded first, then tested.
 */
export function forEachCellInCap(
  grid: DhGrid,
  cx: number,
  cy: number,
  cz: number,
  delta: number,
  slack: number,
  fn: (cell: number) => void,
): void {
  const n = grid.size;
  const cosDelta = Math.cos(delta);
  const rxy = Math.sqrt(cx * cx + cy * cy);
  const theta = Math.atan2(rxy, cz);
  const phi = Math.atan2(cy, cx);
  const st = Math.sin(theta);
  const ct = Math.cos(theta);
  const pad = 1e-9;
  const jLo = Math.max(0, Math.ceil(((theta - delta - pad) * n) / Math.PI - 0.5));
  const jHi = Math.min(n - 1, Math.floor(((theta + delta + pad) * n) / Math.PI - 0.5));
  for (let j = jLo; j <= jHi; j++) {
    const denom = st * grid.sinTheta[j];
    const num = cosDelta - slack - ct * grid.cosTheta[j];
    let kLo = 0;
    let kHi = n - 1;
    if (denom > 1e-12) {
      const cosSpan = num / denom;
      if (cosSpan > 1) continue;
      if (cosSpan > -1) {
        const span = Math.acos(cosSpan) + pad;
        kLo = Math.ceil(((phi - span) * n) / (2 * Math.PI));
        kHi = Math.floor(((phi + span) * n) / (2 * Math.PI));
        if (kHi - kLo + 1 >= n) {
          kLo = 0;
          kHi = n - 1;
        }
      }
    } else if (num > 0) {
      continue;
    }
    for (let k = kLo; k <= kHi; k++) {
      const kk = ((k % n) + n) % n;
      const dot = grid.sinTheta[j] * (grid.cosPhi[kk] * cx + grid.sinPhi[kk] * cy) +
        grid.cosTheta[j] * cz;
      if (dot >= cosDelta - slack) fn(j * n + kk);
    }
  }
}

/**
 * Cap-max estimate of the extent function of a point cloud:
 * ρ(u) = max{‖p‖ : p̂·u ≥ cos δ}, 0 for an empty cap. Points at the origin are ignored.
 */
export function extentFromPoints(
  points: ArrayLike<number>,
  bandwidth: number,
  capAngle: number = defaultCapAngle(points.length / 3),
): Float64Array {
  const grid = dhGrid(bandwidth);
  const out = new Float64Array(grid.size * grid.size);
  for (let i = 0; i < points.length; i += 3) {
    const x = points[i], y = points[i + 1], z = points[i + 2];
    const r = Math.sqrt(x * x + y * y + z * z);
    if (!(r > 0)) continue;
    forEachCellInCap(grid, x / r, y / r, z / r, capAngle, 0, (cell) => {
      if (r > out[cell]) out[cell] = r;
    });
  }
  return out;
}

/**
 * Exact extent of a triangle mesh: for every grid direction the largest distance at which the
 * ray from the origin hits a triangle (Möller–Trumbore), 0 on a miss. Triangles are binned by
 * the spherical cap around their vertex directions, so each ray tests only nearby faces.
 */
export function extentFromMesh(shape: Shape, bandwidth: number): Float64Array {
  const grid = dhGrid(bandwidth);
  const n = grid.size;
  const cells = n * n;
  const v = shape.vertices;
  const t = shape.triangles;
  const faces = t.length / 3;
  const caps = new Float64Array(4 * faces);
  const global: number[] = [];
  for (let f = 0; f < faces; f++) {
    let sx = 0, sy = 0, sz = 0;
    let ok = true;
    const dirs: number[] = [];
    for (let c = 0; c < 3; c++) {
      const a = 3 * t[3 * f + c];
      const r = Math.hypot(v[a], v[a + 1], v[a + 2]);
      if (!(r > 1e-12)) ok = false;
      dirs.push(v[a] / r, v[a + 1] / r, v[a + 2] / r);
      sx += v[a] / r;
      sy += v[a + 1] / r;
      sz += v[a + 2] / r;
    }
    const s = Math.hypot(sx, sy, sz);
    let radius = 0;
    if (ok && s > 1e-9) {
      for (let c = 0; c < 3; c++) {
        const d = (dirs[3 * c] * sx + dirs[3 * c + 1] * sy + dirs[3 * c + 2] * sz) / s;
        radius = Math.max(radius, Math.acos(Math.min(1, Math.max(-1, d))));
      }
    }
    if (!ok || !(s > 1e-9) || radius > 1.3) {
      global.push(f);
      caps[4 * f + 3] = -1;
      continue;
    }
    caps.set([sx / s, sy / s, sz / s, radius + 1e-7], 4 * f);
  }
  const start = new Uint32Array(cells + 1);
  const visit = (f: number, fn: (cell: number) => void) =>
    forEachCellInCap(
      grid,
      caps[4 * f],
      caps[4 * f + 1],
      caps[4 * f + 2],
      caps[4 * f + 3],
      1e-9,
      fn,
    );
  for (let f = 0; f < faces; f++) {
    if (caps[4 * f + 3] >= 0) visit(f, (cell) => start[cell + 1]++);
  }
  for (let c = 0; c < cells; c++) start[c + 1] += start[c];
  const list = new Uint32Array(start[cells]);
  const fill = start.slice(0, cells);
  for (let f = 0; f < faces; f++) {
    if (caps[4 * f + 3] >= 0) visit(f, (cell) => (list[fill[cell]++] = f));
  }
  const out = new Float64Array(cells);
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < n; k++) {
      const cell = j * n + k;
      const ux = grid.sinTheta[j] * grid.cosPhi[k];
      const uy = grid.sinTheta[j] * grid.sinPhi[k];
      const uz = grid.cosTheta[j];
      let best = 0;
      for (let i = start[cell]; i < start[cell + 1]; i++) {
        best = Math.max(best, rayHit(v, t, list[i], ux, uy, uz));
      }
      for (const f of global) best = Math.max(best, rayHit(v, t, f, ux, uy, uz));
      out[cell] = best;
    }
  }
  return out;
}

/** Distance along the ray from the origin in direction u to triangle f, or 0 on a miss. */
function rayHit(
  v: Float64Array,
  t: Uint32Array,
  f: number,
  ux: number,
  uy: number,
  uz: number,
): number {
  const a = 3 * t[3 * f], b = 3 * t[3 * f + 1], c = 3 * t[3 * f + 2];
  const e1x = v[b] - v[a], e1y = v[b + 1] - v[a + 1], e1z = v[b + 2] - v[a + 2];
  const e2x = v[c] - v[a], e2y = v[c + 1] - v[a + 1], e2z = v[c + 2] - v[a + 2];
  const px = uy * e2z - uz * e2y, py = uz * e2x - ux * e2z, pz = ux * e2y - uy * e2x;
  const det = e1x * px + e1y * py + e1z * pz;
  if (Math.abs(det) < 1e-18) return 0;
  const inv = 1 / det;
  const sx = -v[a], sy = -v[a + 1], sz = -v[a + 2];
  const u = (sx * px + sy * py + sz * pz) * inv;
  if (u < -1e-12 || u > 1 + 1e-12) return 0;
  const qx = sy * e1z - sz * e1y, qy = sz * e1x - sx * e1z, qz = sx * e1y - sy * e1x;
  const w = (ux * qx + uy * qy + uz * qz) * inv;
  if (w < -1e-12 || u + w > 1 + 1e-12) return 0;
  const dist = (e2x * qx + e2y * qy + e2z * qz) * inv;
  return dist > 0 ? dist : 0;
}
