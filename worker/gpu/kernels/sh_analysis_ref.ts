/** Float64 CPU references of the SH analysis kernels (`sh_analysis.ts`). */

/** The cap-max extent of one point set and the cells too close to a cap's edge to compare. */
export interface ExtentRef {
  /** [n, n] ring-major: the largest radius within the cap of each cell, 0 when none. */
  grid: Float64Array;
  /** 1 where a point lies within 1e-5 of a cell's cap edge (f32 may decide either way). */
  borderline: Uint8Array;
}

/**
 * Cap-max extent of (x, y, z, w) points (weight 0: padding, skipped) on the n × n grid: cell
 * (j, k) at colatitude π(j + ½)/n and azimuth 2πk/n takes the largest |p| over the points
 * whose direction is within `capAngle` of the cell's.
 */
export function extentCapMaxRef(points: ArrayLike<number>, n: number, capAngle: number): ExtentRef {
  const grid = new Float64Array(n * n);
  const borderline = new Uint8Array(n * n);
  const cosDelta = Math.cos(capAngle);
  for (let i = 0; i + 3 < points.length; i += 4) {
    const [x, y, z, w] = [points[i], points[i + 1], points[i + 2], points[i + 3]];
    const r = Math.hypot(x, y, z);
    if (!(w > 0) || !(r > 0)) continue;
    for (let j = 0; j < n; j++) {
      const theta = (Math.PI * (j + 0.5)) / n;
      for (let k = 0; k < n; k++) {
        const phi = (2 * Math.PI * k) / n;
        const d = (Math.sin(theta) * (Math.cos(phi) * x + Math.sin(phi) * y) +
          Math.cos(theta) * z) / r;
        if (Math.abs(d - cosDelta) < 1e-5) borderline[j * n + k] = 1;
        if (d >= cosDelta) grid[j * n + k] = Math.max(grid[j * n + k], r);
      }
    }
  }
  return { grid, borderline };
}

/**
 * The forward SH transform of one [n, n] grid with the ring-major quadrature `table`
 * ([j][l(l+1)/2 + m]): c_lm = Σ_j w_j(l, m) Σ_k f(j, k) cos(mφ_k) and
 * c_l,−m = Σ_j w_j(l, m) Σ_k f(j, k) sin(mφ_k), in flat order l² + l + m.
 */
export function shForwardRef(
  grid: ArrayLike<number>,
  table: ArrayLike<number>,
  n: number,
  degree: number,
): Float64Array {
  const tri = ((degree + 1) * (degree + 2)) / 2;
  const out = new Float64Array((degree + 1) ** 2);
  for (let m = 0; m <= degree; m++) {
    const a = new Float64Array(n);
    const b = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < n; k++) {
        const phi = (2 * Math.PI * k * m) / n;
        a[j] += grid[j * n + k] * Math.cos(phi);
        b[j] += grid[j * n + k] * Math.sin(phi);
      }
    }
    for (let l = m; l <= degree; l++) {
      const q = (l * (l + 1)) / 2 + m;
      let c = 0;
      let s = 0;
      for (let j = 0; j < n; j++) {
        c += table[j * tri + q] * a[j];
        s += table[j * tri + q] * b[j];
      }
      out[l * l + l + m] = c;
      if (m > 0) out[l * l + l - m] = s;
    }
  }
  return out;
}
