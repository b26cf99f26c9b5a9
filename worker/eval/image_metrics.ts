/**
 * Image quality metrics: PSNR and SSIM, optionally restricted by a mask (e.g. to the hole of an
 * image-completion task). Images are float arrays laid out [count, height, width, channels];
 * all sums are float64.
 * @module
 */

/** Options of {@link psnr}. */
export interface PsnrOptions {
  /** One value per element; only elements where it is non-zero count. */
  mask?: Float32Array;
  /** Largest possible value (default 1). */
  peak?: number;
}

/** Size of a batch of images laid out [count, height, width, channels]. */
export interface ImageShape {
  count: number;
  height: number;
  width: number;
  channels: number;
}

/** Options of {@link ssim}. */
export interface SsimOptions {
  /** [count, height, width], one value per pixel; only pixels where it is non-zero count. */
  mask?: Float32Array;
  /** Dynamic range L (default 1). */
  peak?: number;
  /** Odd side of the Gaussian window (default: 11, or the largest odd ≤ the shorter side). */
  window?: number;
  /** Standard deviation of the Gaussian window in pixels (default 1.5). */
  sigma?: number;
}

/** SSIM stabiliser K1 (Wang et al. 2004): C1 = (K1·L)². */
export const SSIM_K1 = 0.01;
/** SSIM stabiliser K2 (Wang et al. 2004): C2 = (K2·L)². */
export const SSIM_K2 = 0.03;

/**
 * Peak signal-to-noise ratio 10·log10(peak² / MSE) in dB over the elements where `mask` ≠ 0
 * (all elements without a mask). Infinity when they are identical; throws when the mask
 * selects nothing.
 */
export function psnr(pred: Float32Array, target: Float32Array, opts: PsnrOptions = {}): number {
  const { mask, peak = 1 } = opts;
  if (pred.length !== target.length) {
    throw new RangeError(`psnr: pred has ${pred.length} values, target ${target.length}`);
  }
  if (mask && mask.length !== pred.length) {
    throw new RangeError(`psnr: mask has ${mask.length} values, expected ${pred.length}`);
  }
  let sum = 0;
  let n = 0;
  for (let i = 0; i < pred.length; i++) {
    if (mask && mask[i] === 0) continue;
    const d = pred[i] - target[i];
    sum += d * d;
    n++;
  }
  if (n === 0) throw new RangeError("psnr: no element selected");
  return sum === 0 ? Infinity : 10 * Math.log10((peak * peak) / (sum / n));
}

function gaussian(window: number, sigma: number): Float64Array {
  const r = (window - 1) / 2;
  const g = new Float64Array(window);
  let s = 0;
  for (let i = 0; i < window; i++) s += g[i] = Math.exp(-((i - r) ** 2) / (2 * sigma * sigma));
  return g.map((v) => v / s);
}

/** Source index of each (output, tap): half-sample symmetric reflection (… b a | a b c … ). */
function reflectTable(n: number, window: number): Int32Array {
  const r = (window - 1) / 2;
  const t = new Int32Array(n * window);
  for (let o = 0; o < n; o++) {
    for (let k = 0; k < window; k++) {
      const i = o + k - r;
      t[o * window + k] = i < 0 ? -i - 1 : i >= n ? 2 * n - i - 1 : i;
    }
  }
  return t;
}

/** Separable Gaussian filter of an h×w plane into `out` (`tmp` is scratch of the same size). */
function blur(
  src: Float64Array,
  out: Float64Array,
  tmp: Float64Array,
  g: Float64Array,
  rows: Int32Array,
  cols: Int32Array,
  h: number,
  w: number,
): void {
  const win = g.length;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let k = 0; k < win; k++) s += g[k] * src[y * w + cols[x * win + k]];
      tmp[y * w + x] = s;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let k = 0; k < win; k++) s += g[k] * tmp[rows[y * win + k] * w + x];
      out[y * w + x] = s;
    }
  }
}

function checkShape(pred: Float32Array, target: Float32Array, shape: ImageShape): void {
  const { count, height, width, channels } = shape;
  if (![count, height, width, channels].every((v) => Number.isInteger(v) && v > 0)) {
    throw new RangeError(`ssim: invalid shape ${JSON.stringify(shape)}`);
  }
  const size = count * height * width * channels;
  if (pred.length !== size || target.length !== size) {
    throw new RangeError(
      `ssim: expected ${size} values for the shape, got pred ${pred.length}, target ${target.length}`,
    );
  }
}

/**
 * Mean structural similarity (Wang et al. 2004) of images laid out [count, height, width,
 * channels]. Local statistics use a normalised Gaussian window (σ 1.5; side 11, shrunk for small
 * images to the largest odd number ≤ min(height, width)) with half-sample symmetric reflection
 * at the borders, so every pixel has a value; moments are the window-weighted (population)
 * ones, K1 = 0.01, K2 = 0.03, L = `peak`. Each channel's SSIM map is averaged over the masked
 * pixels (all pixels without a mask), then over channels, then over the images; images whose
 * mask selects no pixel are left out (throws when none is selected at all).
 */
export function ssim(
  pred: Float32Array,
  target: Float32Array,
  shape: ImageShape,
  opts: SsimOptions = {},
): number {
  checkShape(pred, target, shape);
  const { count, height: h, width: w, channels } = shape;
  const { mask, peak = 1, sigma = 1.5 } = opts;
  const shorter = Math.min(h, w);
  const window = opts.window ?? Math.min(11, shorter % 2 === 1 ? shorter : shorter - 1);
  if (!(Number.isInteger(window) && window % 2 === 1 && (window - 1) / 2 <= shorter)) {
    throw new RangeError(
      `ssim: window must be odd and at most ${2 * shorter + 1} for ${h}×${w}, got ${window}`,
    );
  }
  if (!(sigma > 0)) throw new RangeError(`ssim: sigma must be positive, got ${sigma}`);
  const plane = h * w;
  if (mask && mask.length !== count * plane) {
    throw new RangeError(`ssim: mask has ${mask.length} values, expected ${count * plane}`);
  }
  const c1 = (SSIM_K1 * peak) ** 2;
  const c2 = (SSIM_K2 * peak) ** 2;
  const g = gaussian(window, sigma);
  const rows = reflectTable(h, window);
  const cols = reflectTable(w, window);
  const inputs = Array.from({ length: 5 }, () => new Float64Array(plane));
  const [mx, my, mxx, myy, mxy] = Array.from({ length: 5 }, () => new Float64Array(plane));
  const tmp = new Float64Array(plane);
  let total = 0;
  let images = 0;
  for (let n = 0; n < count; n++) {
    let selected = plane;
    if (mask) {
      selected = 0;
      for (let i = 0; i < plane; i++) if (mask[n * plane + i] !== 0) selected++;
      if (selected === 0) continue;
    }
    let channelSum = 0;
    for (let c = 0; c < channels; c++) {
      const [x, y, xx, yy, xy] = inputs;
      for (let i = 0; i < plane; i++) {
        const a = pred[(n * plane + i) * channels + c];
        const b = target[(n * plane + i) * channels + c];
        x[i] = a;
        y[i] = b;
        xx[i] = a * a;
        yy[i] = b * b;
        xy[i] = a * b;
      }
      [mx, my, mxx, myy, mxy].forEach((out, k) => blur(inputs[k], out, tmp, g, rows, cols, h, w));
      let sum = 0;
      for (let i = 0; i < plane; i++) {
        if (mask && mask[n * plane + i] === 0) continue;
        const ux = mx[i], uy = my[i];
        const vx = mxx[i] - ux * ux, vy = myy[i] - uy * uy, cov = mxy[i] - ux * uy;
        sum += ((2 * ux * uy + c1) * (2 * cov + c2)) /
          ((ux * ux + uy * uy + c1) * (vx + vy + c2));
      }
      channelSum += sum / selected;
    }
    total += channelSum / channels;
    images++;
  }
  if (images === 0) throw new RangeError("ssim: no pixel selected");
  return total / images;
}
