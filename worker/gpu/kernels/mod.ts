/**
 * WGSL kernel families; each function records dispatches on its tensors' device.
 * @module
 */
export * from "./elementwise.ts";
export * from "./binary.ts";
export * from "./reduce.ts";
export * from "./shape.ts";
export * from "./loss.ts";
export * from "./normalize.ts";
export * from "./optim.ts";
export * from "./spectral_norm.ts";
export * from "./matmul.ts";
export * from "./conv.ts";
export * from "./fused_mlp.ts";
export * from "./latent.ts";
export * from "./histogram.ts";
export * from "./basis.ts";
export * from "./zernike_moments.ts";
export * from "./basis_eval.ts";
export * from "./sh_analysis.ts";
