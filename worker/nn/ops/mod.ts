/**
 * Differentiable ops: each takes the {@link Tape} that records it first.
 * @module
 */
export {
  add,
  addScalar,
  div,
  leakyRelu,
  mul,
  relu,
  scale,
  sigmoid,
  softplus,
  sub,
  tanh,
  unaryOp,
} from "./elementwise.ts";
export { linear, matmul, type MatmulOptions } from "./linalg.ts";
export { conv2d, type ConvOptions, convTranspose2d, type ConvTransposeOptions } from "./conv.ts";
export { mean, sum } from "./reduce.ts";
export { concat, reshape, slice } from "./shape.ts";
export { l1Loss, type L1Reduction, softmaxCrossEntropy } from "./loss.ts";
export { l2Normalize } from "./normalize.ts";
export { histogramKl, type HistogramKlOptions } from "./histogram.ts";
export { spectralNormalize, type SpectralNormalizeOptions } from "./spectral.ts";
export { fusedMlp } from "./fused_mlp.ts";
