/**
 * Geometry of 2-D convolutions: NHWC images, [KH, KW, Cin, Cout] weights, square stride and
 * padding. Shared by the GPU kernels and the CPU reference.
 */

/** Stride and zero padding of a convolution (the same along both spatial axes). */
export interface ConvOptions {
  /** Step between output pixels (default 1). */
  stride?: number;
  /** Zero padding on each border (default 0). */
  padding?: number;
}

/** Options of a transposed convolution. */
export interface ConvTransposeOptions extends ConvOptions {
  /** Extra rows and columns at the bottom/right of the output, in [0, stride) (default 0). */
  outputPadding?: number;
}

/** All sizes of one convolution: input [n, h, w, cin] → output [n, ho, wo, cout]. */
export interface ConvGeometry {
  n: number;
  h: number;
  w: number;
  cin: number;
  kh: number;
  kw: number;
  cout: number;
  ho: number;
  wo: number;
  stride: number;
  pad: number;
}

/**
 * Resolves `conv2d(input, weights)` for an input of `inputShape` [N, H, W, Cin] and weights of
 * `weightShape` [KH, KW, Cin, Cout]: Ho = floor((H + 2p - KH) / s) + 1. `op` names the calling
 * operation in the RangeError thrown for invalid shapes or options.
 */
export function convGeometry(
  op: string,
  inputShape: readonly number[],
  weightShape: readonly number[],
  opts: ConvOptions = {},
): ConvGeometry {
  const stride = opts.stride ?? 1;
  const pad = opts.padding ?? 0;
  const fail = (why: string): never => {
    throw new RangeError(
      `Cannot ${op}: input [${inputShape}] with weights [${weightShape}], stride ${stride}, ` +
        `padding ${pad}: ${why}`,
    );
  };
  if (!Number.isInteger(stride) || stride < 1) fail("stride must be a positive integer");
  if (!Number.isInteger(pad) || pad < 0) fail("padding must be a non-negative integer");
  if (inputShape.length !== 4) fail("input must be NHWC (rank 4)");
  if (weightShape.length !== 4) fail("weights must be [KH, KW, Cin, Cout]");
  const all = [...inputShape, ...weightShape];
  if (all.some((d) => !Number.isInteger(d) || d < 0)) fail("dimensions must be integers >= 0");
  if (all.slice(1).some((d) => d === 0)) fail("only the batch dimension may be 0");
  const [n, h, w, cin] = inputShape;
  const [kh, kw, wcin, cout] = weightShape;
  if (wcin !== cin) fail(`input has ${cin} channels but the weights expect ${wcin}`);
  const ho = Math.floor((h + 2 * pad - kh) / stride) + 1;
  const wo = Math.floor((w + 2 * pad - kw) / stride) + 1;
  if (ho < 1 || wo < 1) fail("the kernel is larger than the padded input");
  return { n, h, w, cin, kh, kw, cout, ho, wo, stride, pad };
}

/** [N, Ho, Wo, Cout] of a convolution. */
export function convOutputShape(g: ConvGeometry): number[] {
  return [g.n, g.ho, g.wo, g.cout];
}

/** [N, H, W, Cin] of a convolution. */
export function convInputShape(g: ConvGeometry): number[] {
  return [g.n, g.h, g.w, g.cin];
}

/**
 * Output shape of `convTranspose2d(x [N, H, W, Cin], w [KH, KW, Cout, Cin])`:
 * [N, (H - 1)s - 2p + KH + outputPadding, (W - 1)s - 2p + KW + outputPadding, Cout].
 */
export function convTransposeOutputShape(
  op: string,
  xShape: readonly number[],
  weightShape: readonly number[],
  opts: ConvTransposeOptions = {},
): number[] {
  const s = opts.stride ?? 1;
  const p = opts.padding ?? 0;
  const extra = opts.outputPadding ?? 0;
  const fail = (why: string): never => {
    throw new RangeError(
      `Cannot ${op}: input [${xShape}] with weights [${weightShape}], stride ${s}, padding ${p}, ` +
        `output padding ${extra}: ${why}`,
    );
  };
  if (xShape.length !== 4 || weightShape.length !== 4) fail("expected rank-4 input and weights");
  if (!Number.isInteger(s) || s < 1) fail("stride must be a positive integer");
  if (!Number.isInteger(extra) || extra < 0 || extra >= s) {
    fail("output padding must be an integer in [0, stride)");
  }
  if (weightShape[3] !== xShape[3]) {
    fail(`input has ${xShape[3]} channels but the weights expect ${weightShape[3]}`);
  }
  const h = (xShape[1] - 1) * s - 2 * p + weightShape[0] + extra;
  const w = (xShape[2] - 1) * s - 2 * p + weightShape[1] + extra;
  if (h < 1 || w < 1) fail("the output would be empty");
  return [xShape[0], h, w, weightShape[2]];
}

/** Throws a RangeError unless `actual` equals `expected`. */
export function checkShape(
  op: string,
  name: string,
  actual: readonly number[],
  expected: readonly number[],
): void {
  if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
    throw new RangeError(`Cannot ${op}: ${name} has shape [${actual}], expected [${expected}]`);
  }
}

/** One sub-pixel phase of a strided input gradient (see {@link phases}). */
export interface Phase {
  rh: number;
  rw: number;
  ih0: number;
  iw0: number;
  hq: number;
  wq: number;
  khp: number;
  kwp: number;
  qh0: number;
  qw0: number;
}

/** The phase fields of kernels that have none. */
export const NO_PHASE: Phase = {
  rh: 0,
  rw: 0,
  ih0: 0,
  iw0: 0,
  hq: 0,
  wq: 0,
  khp: 0,
  kwp: 0,
  qh0: 0,
  qw0: 0,
};

/**
 * The sub-pixel phases of the input gradient that own input pixels. Phase (r_h, r_w) covers
 * ih = ih0 + s·t (t < Hq) with (ih + p) ≡ r_h (mod s), reads taps kh = r_h + s·j (j < KHp) and
 * output rows oh = qh0 + t - j.
 */
export function phases(g: ConvGeometry): Phase[] {
  const axis = (r: number, size: number, k: number) => {
    const i0 = (((r - g.pad) % g.stride) + g.stride) % g.stride;
    return {
      i0,
      q: i0 < size ? Math.ceil((size - i0) / g.stride) : 0,
      taps: r < k ? Math.ceil((k - r) / g.stride) : 0,
      q0: (i0 + g.pad - r) / g.stride,
    };
  };
  const out: Phase[] = [];
  for (let rh = 0; rh < g.stride; rh++) {
    for (let rw = 0; rw < g.stride; rw++) {
      const a = axis(rh, g.h, g.kh);
      const b = axis(rw, g.w, g.kw);
      if (a.q === 0 || b.q === 0) continue;
      out.push({
        rh,
        rw,
        ih0: a.i0,
        iw0: b.i0,
        hq: a.q,
        wq: b.q,
        khp: a.taps,
        kwp: b.taps,
        qh0: a.q0,
        qw0: b.q0,
      });
    }
  }
  return out;
}
