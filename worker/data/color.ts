/**
 * sRGB ↔ CIE L*a*b* for interleaved pixel arrays (3 values per pixel), D65 white point.
 *
 * sRGB values in [0, 1] are linearised with the sRGB companding curve, mapped to XYZ with the
 * sRGB/D65 matrix ({@link SRGB_TO_XYZ}) and divided by the white point ({@link D65_WHITE}, the
 * matrix's row sums, so every grey has a = b = 0 up to rounding). L*a*b* uses the CIE
 * constants {@link LAB_EPSILON} = 216/24389 and {@link LAB_KAPPA} = 24389/27. All arithmetic is
 * float64; results are stored as float32.
 *
 * Networks see L*a*b* in unit scale ({@link labToUnit}): L/100, (a+128)/255, (b+128)/255.
 * @module
 */

/** CIE ε = 216/24389: below this relative luminance f(t) is linear. */
export const LAB_EPSILON = 216 / 24389;
/** CIE κ = 24389/27: slope of the linear part of L* (L = κ·Y for small Y). */
export const LAB_KAPPA = 24389 / 27;

/** Linear sRGB → XYZ (D65), row-major; the IEC 61966-2-1 primaries as tabulated by Lindbloom. */
// deno-fmt-ignore
export const SRGB_TO_XYZ: readonly number[] = [
  0.4124564, 0.3575761, 0.1804375,
  0.2126729, 0.7151522, 0.0721750,
  0.0193339, 0.1191920, 0.9503041,
];

/** XYZ → linear sRGB: the exact float64 inverse of {@link SRGB_TO_XYZ}. */
export const XYZ_TO_SRGB: readonly number[] = invert3(SRGB_TO_XYZ);

/** D65 reference white (Xn, Yn, Zn) = row sums of {@link SRGB_TO_XYZ} ≈ (0.95047, 1, 1.08883). */
export const D65_WHITE: readonly number[] = [0, 1, 2].map((r) =>
  SRGB_TO_XYZ[3 * r] + SRGB_TO_XYZ[3 * r + 1] + SRGB_TO_XYZ[3 * r + 2]
);

/** Unit scaling: L is divided by this (L ∈ [0, 100] → [0, 1]). */
export const LAB_L_SCALE = 100;
/** Unit scaling: a and b are shifted by this before scaling (a, b ≈ [-128, 127] → [0, 1]). */
export const LAB_AB_OFFSET = 128;
/** Unit scaling: a + offset and b + offset are divided by this. */
export const LAB_AB_SCALE = 255;

function invert3(m: readonly number[]): number[] {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h, B = f * g - d * i, C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [
    A / det,
    (c * h - b * i) / det,
    (b * f - c * e) / det,
    B / det,
    (a * i - c * g) / det,
    (c * d - a * f) / det,
    C / det,
    (b * g - a * h) / det,
    (a * e - b * d) / det,
  ];
}

function checkPixels(arr: Float32Array, what: string): void {
  if (arr.length % 3 !== 0) {
    throw new RangeError(`${what}: expected 3 values per pixel, got length ${arr.length}`);
  }
}

function toLinear(c: number): number {
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function fromLinear(v: number): number {
  return v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055;
}

function f(t: number): number {
  return t > LAB_EPSILON ? Math.cbrt(t) : (LAB_KAPPA * t + 16) / 116;
}

function fInv(ft: number): number {
  const t = ft * ft * ft;
  return t > LAB_EPSILON ? t : (116 * ft - 16) / LAB_KAPPA;
}

/** sRGB in [0, 1] (3 per pixel) → L*a*b* (L in [0, 100], a and b roughly [-128, 127]). */
export function rgbToLab(rgb: Float32Array): Float32Array {
  checkPixels(rgb, "rgbToLab");
  const m = SRGB_TO_XYZ;
  const [xn, yn, zn] = D65_WHITE;
  const out = new Float32Array(rgb.length);
  for (let p = 0; p < rgb.length; p += 3) {
    const r = toLinear(rgb[p]), g = toLinear(rgb[p + 1]), b = toLinear(rgb[p + 2]);
    const fx = f((m[0] * r + m[1] * g + m[2] * b) / xn);
    const fy = f((m[3] * r + m[4] * g + m[5] * b) / yn);
    const fz = f((m[6] * r + m[7] * g + m[8] * b) / zn);
    out[p] = 116 * fy - 16;
    out[p + 1] = 500 * (fx - fy);
    out[p + 2] = 200 * (fy - fz);
  }
  return out;
}

/** L*a*b* (3 per pixel) → sRGB, clamped to [0, 1] (out-of-gamut colours are clipped). */
export function labToRgb(lab: Float32Array): Float32Array {
  checkPixels(lab, "labToRgb");
  const m = XYZ_TO_SRGB;
  const [xn, yn, zn] = D65_WHITE;
  const out = new Float32Array(lab.length);
  for (let p = 0; p < lab.length; p += 3) {
    const l = lab[p];
    const fy = (l + 16) / 116;
    const x = xn * fInv(fy + lab[p + 1] / 500);
    const y = yn * (l > LAB_KAPPA * LAB_EPSILON ? fy * fy * fy : l / LAB_KAPPA);
    const z = zn * fInv(fy - lab[p + 2] / 200);
    for (let c = 0; c < 3; c++) {
      const v = fromLinear(m[3 * c] * x + m[3 * c + 1] * y + m[3 * c + 2] * z);
      out[p + c] = Math.min(1, Math.max(0, v));
    }
  }
  return out;
}

/** L*a*b* → unit scale: (L/100, (a+128)/255, (b+128)/255). */
export function labToUnit(lab: Float32Array): Float32Array {
  checkPixels(lab, "labToUnit");
  const out = new Float32Array(lab.length);
  for (let p = 0; p < lab.length; p += 3) {
    out[p] = lab[p] / LAB_L_SCALE;
    out[p + 1] = (lab[p + 1] + LAB_AB_OFFSET) / LAB_AB_SCALE;
    out[p + 2] = (lab[p + 2] + LAB_AB_OFFSET) / LAB_AB_SCALE;
  }
  return out;
}

/** Unit scale → L*a*b*: the inverse of {@link labToUnit}. */
export function unitToLab(unit: Float32Array): Float32Array {
  checkPixels(unit, "unitToLab");
  const out = new Float32Array(unit.length);
  for (let p = 0; p < unit.length; p += 3) {
    out[p] = unit[p] * LAB_L_SCALE;
    out[p + 1] = unit[p + 1] * LAB_AB_SCALE - LAB_AB_OFFSET;
    out[p + 2] = unit[p + 2] * LAB_AB_SCALE - LAB_AB_OFFSET;
  }
  return out;
}
