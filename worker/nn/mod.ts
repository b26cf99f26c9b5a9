/**
 * Neural-network layer of the engine: reverse-mode autograd over GPU tensors, differentiable
 * ops, layers (incl. spectral normalisation and U-Net encoder–decoders), optimisers, loss
 * metering and safetensors checkpoints.
 * @module
 */
export { type Backward, type GradientOptions, Tape, type TapeOptions } from "./tape.ts";
export * as ops from "./ops/mod.ts";
export { Layer, Module, type NamedTensor } from "./module.ts";
export {
  Activation,
  type ActivationOp,
  Conv2d,
  type ConvLayerOptions,
  ConvTranspose2d,
  type ConvTransposeLayerOptions,
  type InitOptions,
  Linear,
  Scale,
  type WeightedLayer,
} from "./layers.ts";
export { SpectralNorm, type SpectralNormOptions } from "./spectral_norm.ts";
export { FusedMlp, type FusedMlpOptions } from "./fused_mlp.ts";
export { mlp, type MlpOptions, Sequential } from "./sequential.ts";
export {
  type UNetCommonOptions,
  UNetDecoder,
  type UNetDecoderOptions,
  UNetEncoder,
  type UNetEncoderOptions,
} from "./unet.ts";
export {
  Adam,
  type AdamOptions,
  Optimizer,
  type ParamGroup,
  type ResolvedGroup,
  Sgd,
  type SgdOptions,
} from "./optim.ts";
export { LossMeter } from "./metrics.ts";
export {
  CheckpointError,
  decodeCheckpoint,
  encodeCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
} from "./checkpoint.ts";
export {
  decodeSafetensors,
  encodeSafetensors,
  type Safetensors,
  SafetensorsError,
  type TensorData,
} from "./safetensors.ts";
