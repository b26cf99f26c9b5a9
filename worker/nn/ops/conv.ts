/**
 * Differentiable 2-D convolutions on NHWC images: conv2d and its transpose, optional bias.
 */
import {
  conv2d as kconv2d,
  conv2dInputGrad,
  conv2dWeightGrad,
  convTranspose2d as kconvTranspose2d,
  convTranspose2dInputGrad,
  convTranspose2dWeightGrad,
} from "../../gpu/kernels/mod.ts";
import type { Tape } from "../tape.ts";
import { add } from "./elementwise.ts";
import type { Tensor } from "../../gpu/mod.ts";
import type { ConvOptions, ConvTransposeOptions } from "../../gpu/kernels/mod.ts";

export type { ConvOptions, ConvTransposeOptions };

/** Convolution of x [N, H, W, Cin] with w [KH, KW, Cin, Cout], plus bias [Cout] if given. */
export function conv2d(
  tape: Tape,
  x: Tensor,
  w: Tensor,
  b?: Tensor | null,
  opts: ConvOptions = {},
): Tensor {
  const o = { stride: opts.stride ?? 1, padding: opts.padding ?? 0 };
  const y = tape.record("conv2d", [x, w], kconv2d(x, w, o), (dy, needs) => [
    needs[0] ? conv2dInputGrad(dy, w, x.shape, o) : null,
    needs[1] ? conv2dWeightGrad(x, dy, w.shape, o) : null,
  ]);
  return b ? add(tape, y, b) : y;
}

/**
 * Transposed convolution of x [N, H, W, Cin] with w [KH, KW, Cout, Cin], plus bias [Cout]:
 * output [N, (H-1)s - 2p + KH + outputPadding, ..., Cout].
 */
export function convTranspose2d(
  tape: Tape,
  x: Tensor,
  w: Tensor,
  b?: Tensor | null,
  opts: ConvTransposeOptions = {},
): Tensor {
  const o = { stride: opts.stride ?? 1, padding: opts.padding ?? 0 };
  const fwd = kconvTranspose2d(x, w, { ...o, outputPadding: opts.outputPadding ?? 0 });
  const y = tape.record("convTranspose2d", [x, w], fwd, (dy, needs) => [
    needs[0] ? convTranspose2dInputGrad(dy, w, o) : null,
    needs[1] ? convTranspose2dWeightGrad(x, dy, w.shape, o) : null,
  ]);
  return b ? add(tape, y, b) : y;
}
