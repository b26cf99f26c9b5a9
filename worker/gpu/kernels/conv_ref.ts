/**
 * Float64 CPU references of the convolution kernels (direct loops, no GEMM), for kernel tests
 * and finite-difference checks. Every array is followed by its shape; results are row-major.
 */
import {
  checkShape,
  type ConvGeometry,
  convGeometry,
  type ConvOptions,
  convOutputShape,
  type ConvTransposeOptions,
  convTransposeOutputShape,
} from "./conv_shape.ts";

type Data = ArrayLike<number>;

/** conv2d(x [N, H, W, Cin], w [KH, KW, Cin, Cout]) → [N, Ho, Wo, Cout]. */
export function conv2dRef(
  x: Data,
  xShape: readonly number[],
  w: Data,
  wShape: readonly number[],
  opts: ConvOptions = {},
): Float64Array {
  const g = convGeometry("conv2d", xShape, wShape, opts);
  checkData("conv2d", x, xShape, w, wShape);
  const y = new Float64Array(g.n * g.ho * g.wo * g.cout);
  forEachTap(g, (xi, wi, yi) => {
    for (let ci = 0; ci < g.cin; ci++) {
      const xv = x[xi + ci];
      const wr = wi + ci * g.cout;
      for (let co = 0; co < g.cout; co++) y[yi + co] += xv * w[wr + co];
    }
  });
  return y;
}

/** Gradient of conv2d with respect to its input: dy [N, Ho, Wo, Cout] → [N, H, W, Cin]. */
export function conv2dInputGradRef(
  dy: Data,
  dyShape: readonly number[],
  w: Data,
  wShape: readonly number[],
  inputShape: readonly number[],
  opts: ConvOptions = {},
): Float64Array {
  return inputGrad("conv2dInputGrad", dy, dyShape, w, wShape, inputShape, opts);
}

/** Gradient of conv2d with respect to its weights → [KH, KW, Cin, Cout]. */
export function conv2dWeightGradRef(
  x: Data,
  xShape: readonly number[],
  dy: Data,
  dyShape: readonly number[],
  weightShape: readonly number[],
  opts: ConvOptions = {},
): Float64Array {
  return weightGrad("conv2dWeightGrad", x, xShape, dy, dyShape, weightShape, opts);
}

/**
 * convTranspose2d(x [N, H, W, Cin], w [KH, KW, Cout, Cin]) → [N, Hout, Wout, Cout]; by
 * definition the input gradient of a conv2d with the same weights and options.
 */
export function convTranspose2dRef(
  x: Data,
  xShape: readonly number[],
  w: Data,
  wShape: readonly number[],
  opts: ConvTransposeOptions = {},
): Float64Array {
  const out = convTransposeOutputShape("convTranspose2d", xShape, wShape, opts);
  return inputGrad("convTranspose2d", x, xShape, w, wShape, out, opts);
}

/** Gradient of convTranspose2d with respect to its input: a conv2d of dy with w. */
export function convTranspose2dInputGradRef(
  dy: Data,
  dyShape: readonly number[],
  w: Data,
  wShape: readonly number[],
  opts: ConvOptions = {},
): Float64Array {
  return conv2dRef(dy, dyShape, w, wShape, opts);
}

/** Gradient of convTranspose2d with respect to its weights [KH, KW, Cout, Cin]. */
export function convTranspose2dWeightGradRef(
  x: Data,
  xShape: readonly number[],
  dy: Data,
  dyShape: readonly number[],
  weightShape: readonly number[],
  opts: ConvOptions = {},
): Float64Array {
  return weightGrad("convTranspose2dWeightGrad", dy, dyShape, x, xShape, weightShape, opts);
}

function inputGrad(
  op: string,
  dy: Data,
  dyShape: readonly number[],
  w: Data,
  wShape: readonly number[],
  inputShape: readonly number[],
  opts: ConvOptions,
): Float64Array {
  const g = convGeometry(op, inputShape, wShape, opts);
  checkShape(op, "dy", dyShape, convOutputShape(g));
  checkData(op, dy, dyShape, w, wShape);
  const dx = new Float64Array(g.n * g.h * g.w * g.cin);
  forEachTap(g, (xi, wi, yi) => {
    for (let ci = 0; ci < g.cin; ci++) {
      const wr = wi + ci * g.cout;
      let s = 0;
      for (let co = 0; co < g.cout; co++) s += dy[yi + co] * w[wr + co];
      dx[xi + ci] += s;
    }
  });
  return dx;
}

function weightGrad(
  op: string,
  x: Data,
  xShape: readonly number[],
  dy: Data,
  dyShape: readonly number[],
  weightShape: readonly number[],
  opts: ConvOptions,
): Float64Array {
  const g = convGeometry(op, xShape, weightShape, opts);
  checkShape(op, "dy", dyShape, convOutputShape(g));
  checkData(op, x, xShape, dy, dyShape);
  const dw = new Float64Array(g.kh * g.kw * g.cin * g.cout);
  forEachTap(g, (xi, wi, yi) => {
    for (let ci = 0; ci < g.cin; ci++) {
      const xv = x[xi + ci];
      const wr = wi + ci * g.cout;
      for (let co = 0; co < g.cout; co++) dw[wr + co] += xv * dy[yi + co];
    }
  });
  return dw;
}

/**
 * Calls `fn(xOffset, wOffset, yOffset)` for every (output pixel, kernel tap) pair that reads a
 * real (not padding) input pixel; offsets point at channel 0.
 */
function forEachTap(g: ConvGeometry, fn: (xi: number, wi: number, yi: number) => void): void {
  for (let b = 0; b < g.n; b++) {
    for (let oh = 0; oh < g.ho; oh++) {
      for (let ow = 0; ow < g.wo; ow++) {
        const yi = ((b * g.ho + oh) * g.wo + ow) * g.cout;
        for (let kh = 0; kh < g.kh; kh++) {
          const ih = oh * g.stride - g.pad + kh;
          if (ih < 0 || ih >= g.h) continue;
          for (let kw = 0; kw < g.kw; kw++) {
            const iw = ow * g.stride - g.pad + kw;
            if (iw < 0 || iw >= g.w) continue;
            fn(((b * g.h + ih) * g.w + iw) * g.cin, (kh * g.kw + kw) * g.cin * g.cout, yi);
          }
        }
      }
    }
  }
}

function checkData(
  op: string,
  a: Data,
  aShape: readonly number[],
  b: Data,
  bShape: readonly number[],
): void {
  for (const [data, shape] of [[a, aShape], [b, bShape]] as const) {
    const size = shape.reduce((s, d) => s * d, 1);
    if (data.length !== size) {
      throw new RangeError(
        `Cannot compute reference ${op}: [${shape}] needs ${size} values, got ${data.length}`,
      );
    }
  }
}
