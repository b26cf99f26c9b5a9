/**
 * Index sets of the 3D Zernike and spherical-harmonic bases (SPECTRAL.md §1).
 *
 * Zernike (n, l, m): 0 ≤ n ≤ N, 0 ≤ l ≤ n, n − l even, −l ≤ m ≤ l, stored in the canonical
 * n-major order `idx(n,l,m) = n(n+1)(n+2)/6 + l(l+1)/2 + m`, so truncating to a lower order
 * is a prefix. Spherical harmonics (l, m) use `j(l,m) = l² + l + m`.
 */

/** One Zernike index triple. */
export interface ZernikeIndex {
  n: number;
  l: number;
  m: number;
}

/** One spherical-harmonic index pair. */
export interface ShIndex {
  l: number;
  m: number;
}

/** Number of real Zernike coefficients up to order `order`: (N+1)(N+2)(N+3)/6. */
export function zernikeCount(order: number): number {
  checkOrder(order, "Zernike order");
  return ((order + 1) * (order + 2) * (order + 3)) / 6;
}

/** Canonical flat index of Z_nlm. */
export function zernikeIndex(n: number, l: number, m: number): number {
  if (l < 0 || l > n || (n - l) % 2 !== 0 || m < -l || m > l) {
    throw new RangeError(`Cannot index Zernike (n=${n}, l=${l}, m=${m}): not a valid triple`);
  }
  return (n * (n + 1) * (n + 2)) / 6 + (l * (l + 1)) / 2 + m;
}

/** All Zernike index triples up to `order`, in canonical order. */
export function zernikeIndices(order: number): ZernikeIndex[] {
  checkOrder(order, "Zernike order");
  const out: ZernikeIndex[] = [];
  for (let n = 0; n <= order; n++) {
    for (let l = n % 2; l <= n; l += 2) {
      for (let m = -l; m <= l; m++) out.push({ n, l, m });
    }
  }
  return out;
}

/** Number of (n, l) pairs (rotation invariants) up to `order`. */
export function radialCount(order: number): number {
  checkOrder(order, "Zernike order");
  let c = 0;
  for (let n = 0; n <= order; n++) c += Math.floor(n / 2) + 1;
  return c;
}

/** Flat index of the (n, l) pair in n-major, then l, order. */
export function radialIndex(n: number, l: number): number {
  if (l < 0 || l > n || (n - l) % 2 !== 0) {
    throw new RangeError(`Cannot index radial pair (n=${n}, l=${l}): not a valid pair`);
  }
  const h = Math.floor(n / 2);
  const before = n % 2 === 0 ? h * (h + 1) : (h + 1) * (h + 1);
  return before + Math.floor(l / 2);
}

/** All (n, l) pairs up to `order` in the order of {@link radialIndex}. */
export function radialPairs(order: number): { n: number; l: number }[] {
  checkOrder(order, "Zernike order");
  const out: { n: number; l: number }[] = [];
  for (let n = 0; n <= order; n++) for (let l = n % 2; l <= n; l += 2) out.push({ n, l });
  return out;
}

/** Number of real spherical-harmonic coefficients up to degree `degree`: (L+1)². */
export function shCount(degree: number): number {
  checkOrder(degree, "spherical-harmonic degree");
  return (degree + 1) * (degree + 1);
}

/** Flat index j(l, m) = l² + l + m. */
export function shIndex(l: number, m: number): number {
  if (l < 0 || m < -l || m > l) throw new RangeError(`Cannot index SH (l=${l}, m=${m})`);
  return l * l + l + m;
}

/** All (l, m) pairs up to `degree` in flat order. */
export function shIndices(degree: number): ShIndex[] {
  checkOrder(degree, "spherical-harmonic degree");
  const out: ShIndex[] = [];
  for (let l = 0; l <= degree; l++) for (let m = -l; m <= l; m++) out.push({ l, m });
  return out;
}

/** Index of the associated Legendre value P̄_l^m (0 ≤ m ≤ l) in a triangular table. */
export function legendreIndex(l: number, m: number): number {
  return (l * (l + 1)) / 2 + m;
}

/** Largest order or degree accepted anywhere in this module. */
export const MAX_ORDER = 64;

/** Throws a RangeError unless `v` is an integer in [0, MAX_ORDER]. */
export function checkOrder(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > MAX_ORDER) {
    throw new RangeError(`Cannot use ${what} ${v}: expected an integer in [0, ${MAX_ORDER}]`);
  }
}
