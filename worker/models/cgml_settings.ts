/**
 * The one mapping of cGML's stage params (snake_case, `pipelines/catalog/`) onto a
 * `CgmlConfig`: Algorithm 1's settings, the latent regime and the Lipschitz constraints. Every
 * network listed in `spectral_norm` gets spectral normalisation and the output scale L =
 * `output_scale`, so its Lipschitz constant is at most L; the others have neither.
 * @module
 */
import type { CgmlConfigInput, NetworkConfig } from "../cgml/mod.ts";

/** cGML's params, as the map, image and toy trainers share them. */
export interface CgmlParams {
  latents: "persistent" | "fresh";
  inner_steps: number;
  beta: number;
  alpha: number;
  hg_once: boolean;
  lr_z: number;
  spectral_norm: readonly ("h" | "g" | "z")[];
  output_scale: number;
}

/** Configuration overrides of cGML's params (merged over the networks' widths by `makeConfig`). */
export function cgmlSettings(p: CgmlParams): CgmlConfigInput {
  const net = (name: "h" | "g" | "z"): Partial<NetworkConfig> => {
    const normalised = p.spectral_norm.includes(name);
    return { spectralNorm: normalised, outputScale: normalised ? p.output_scale : 1 };
  };
  return {
    latents: p.latents,
    innerSteps: p.inner_steps,
    beta: p.beta,
    alpha: p.alpha,
    updateHGOnce: p.hg_once,
    optimZ: { lr: p.lr_z },
    H: net("h"),
    G: net("g"),
    Z: net("z"),
  };
}
